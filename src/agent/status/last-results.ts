/**
 * The details the rolling windows do not keep (message, phases, trace id): of each check's
 * last run and last failure, so the status API can say why a check is down without holding
 * every result; and of every run of a check someone is looking at (asked for by name in the
 * last 10 minutes: the page's open panel), so its recent runs show their phases. Holding
 * them for every check would cost kilobytes per check; holding them for the few being
 * looked at costs nothing that grows with the fleet.
 */
import type { EventBus } from '../../results/bus.js';
import type { FailureReason } from '../../results/reasons.js';
import type { CheckResult, HttpPhase } from '../../results/types.js';

/** One run, as the status API shows it. Durations in ms. */
export interface RunDetail {
  /** When it finished, epoch ms (the moment the windows count it). */
  at: number;
  ok: boolean;
  durationMs: number;
  reason?: FailureReason;
  message?: string;
  phases: Partial<Record<HttpPhase, number>>;
  traceId?: string;
}

interface Held {
  last: RunDetail;
  lastFailure?: RunDetail;
}

/** How long a check asked for by name keeps its runs' details. */
export const WATCH_MS = 10 * 60_000;
/** Details kept per watched check, newest last. */
export const WATCHED_RUNS = 20;
/** Checks watched at once; the one asked for longest ago makes room. */
export const MAX_WATCHED = 100;

interface Watched {
  until: number;
  runs: RunDetail[];
}

function detailOf(result: CheckResult): RunDetail {
  const phases: Partial<Record<HttpPhase, number>> = {};
  for (const [phase, seconds] of Object.entries(result.observation.phases) as [HttpPhase, number | undefined][])
    if (seconds !== undefined) phases[phase] = seconds * 1_000;
  return {
    at: result.startedAt + result.durationSeconds * 1_000,
    ok: result.ok,
    durationMs: result.durationSeconds * 1_000,
    ...(result.reason !== undefined ? { reason: result.reason } : {}),
    ...(result.message !== undefined ? { message: result.message } : {}),
    phases,
    ...(result.traceId !== undefined ? { traceId: result.traceId } : {}),
  };
}

/** Keeps, per check, its last run and its last failure, from the bus. */
export class LastResults {
  readonly #held = new Map<string, Held>();
  /** Insertion order is the order they were last asked for. */
  readonly #watched = new Map<string, Watched>();
  readonly #unsubscribe: () => void;

  constructor(bus: EventBus) {
    this.#unsubscribe = bus.on('result', (result) => {
      const detail = detailOf(result);
      const held = this.#held.get(result.check);
      const lastFailure = result.ok ? held?.lastFailure : detail;
      this.#held.set(result.check, lastFailure ? { last: detail, lastFailure } : { last: detail });
      this.#keepIfWatched(result.check, detail);
    });
  }

  #keepIfWatched(check: string, detail: RunDetail): void {
    const watched = this.#watched.get(check);
    if (watched === undefined) return;
    if (detail.at > watched.until) return void this.#watched.delete(check);
    watched.runs.push(detail);
    if (watched.runs.length > WATCHED_RUNS) watched.runs.shift();
  }

  /** Someone looks at `check`: keep its runs' details for the next WATCH_MS. */
  watch(check: string, now: number): void {
    const watched = this.#watched.get(check);
    this.#watched.delete(check);
    this.#watched.set(check, { until: now + WATCH_MS, runs: watched?.runs ?? [] });
    for (const name of this.#watched.keys()) {
      if (this.#watched.size <= MAX_WATCHED) break;
      this.#watched.delete(name);
    }
  }

  /** Every detail held for `check`: its watched runs, its last run and its last failure. */
  details(check: string): RunDetail[] {
    const held = this.#held.get(check);
    const runs = [...(this.#watched.get(check)?.runs ?? [])];
    if (held) runs.push(held.last, ...(held.lastFailure ? [held.lastFailure] : []));
    return runs;
  }

  last(check: string): RunDetail | undefined {
    return this.#held.get(check)?.last;
  }

  lastFailure(check: string): RunDetail | undefined {
    return this.#held.get(check)?.lastFailure;
  }

  /** Forgets checks no longer configured (after a reload). */
  retain(names: ReadonlySet<string>): void {
    for (const check of [...this.#held.keys()]) if (!names.has(check)) this.#held.delete(check);
    for (const check of [...this.#watched.keys()]) if (!names.has(check)) this.#watched.delete(check);
  }

  close(): void {
    this.#unsubscribe();
    this.#held.clear();
    this.#watched.clear();
  }
}
