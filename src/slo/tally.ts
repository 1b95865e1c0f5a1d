/**
 * Runs and failures per check over its SLO window (days, not the minutes the rolling
 * windows keep), in coarse time buckets so a 30-day window costs a few hundred numbers a
 * check. What it answers covers only results seen since the process started.
 */
import type { EventBus } from '../results/bus.js';
import type { CheckResult } from '../results/types.js';
import { remainingBudget, type RunCounts } from './budget.js';

/** Buckets per SLO window: a 30d window counts by the hour, a 1d one by two minutes. */
const BUCKETS_PER_WINDOW = 720;

/** What the tally needs of a check's `slo:`. */
export interface TalliedSlo {
  objective: number;
  /** ms */
  window: number;
}

interface CheckTally {
  slo: TalliedSlo;
  bucketMs: number;
  /** Bucket index (time ÷ bucketMs) → counts. */
  buckets: Map<number, RunCounts>;
}

/** Counts the results of the checks it was given, per SLO window, from the bus. */
export class SloTally {
  readonly #checks = new Map<string, CheckTally>();
  readonly #unsubscribe: () => void;

  constructor(bus: EventBus, slos: ReadonlyMap<string, TalliedSlo>) {
    this.retain(slos);
    this.#unsubscribe = bus.on('result', (result) => this.#record(result));
  }

  /**
   * Counts exactly these checks from now on (after a reload): a check whose SLO is
   * unchanged keeps its counts, a new or changed one starts from none, a removed one goes.
   */
  retain(slos: ReadonlyMap<string, TalliedSlo>): void {
    for (const check of [...this.#checks.keys()]) if (!slos.has(check)) this.#checks.delete(check);
    for (const [check, slo] of slos) {
      const held = this.#checks.get(check)?.slo;
      if (held?.objective === slo.objective && held.window === slo.window) continue;
      this.#checks.set(check, {
        slo,
        bucketMs: Math.max(1, Math.floor(slo.window / BUCKETS_PER_WINDOW)),
        buckets: new Map(),
      });
    }
  }

  /** The SLO counted for `check`, if any. */
  slo(check: string): TalliedSlo | undefined {
    return this.#checks.get(check)?.slo;
  }

  /** Whether `check` has an SLO counted here. */
  has(check: string): boolean {
    return this.#checks.has(check);
  }

  /** Runs and failures of `check` within its SLO window up to `now`; undefined when not tallied. */
  counts(check: string, now: number = Date.now()): RunCounts | undefined {
    const tally = this.#checks.get(check);
    if (tally === undefined) return undefined;
    const first = Math.floor((now - tally.slo.window) / tally.bucketMs) + 1;
    const sum: RunCounts = { total: 0, bad: 0 };
    for (const [index, counts] of tally.buckets) {
      if (index < first) continue;
      sum.total += counts.total;
      sum.bad += counts.bad;
    }
    return sum;
  }

  /** Remaining error budget of `check` (0..1); undefined when not tallied or no results yet. */
  remaining(check: string, now: number = Date.now()): number | undefined {
    const counts = this.counts(check, now);
    const tally = this.#checks.get(check);
    return counts && tally ? remainingBudget(counts, tally.slo.objective) : undefined;
  }

  close(): void {
    this.#unsubscribe();
    this.#checks.clear();
  }

  #record(result: CheckResult): void {
    const tally = this.#checks.get(result.check);
    if (tally === undefined) return;
    const at = result.startedAt + result.durationSeconds * 1_000;
    const index = Math.floor(at / tally.bucketMs);
    const counts = tally.buckets.get(index) ?? { total: 0, bad: 0 };
    counts.total++;
    if (!result.ok) counts.bad++;
    tally.buckets.set(index, counts);
    // Buckets are made in time order: the oldest one is the Map's first.
    const oldest = index - BUCKETS_PER_WINDOW - 1;
    for (const key of tally.buckets.keys()) {
      if (key >= oldest) break;
      tally.buckets.delete(key);
    }
  }
}
