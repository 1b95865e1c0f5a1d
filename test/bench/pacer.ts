/**
 * Open-loop load shaped like the agent's: N slots (targets), each fired once per period
 * at its own fixed random offset, as the agent spreads its checks and as Prometheus
 * spreads its scrapes of N blackbox targets. The shape matters as much as the rate: on
 * loopback, a probe that arrives alone wakes every process on its path, while probes
 * fired in batches share those wake-ups, and CPU per probe differs by about 2x between
 * the two (see BENCHMARKS.md). Every prober therefore gets the same spread.
 *
 * Slots are fired whether or not earlier requests finished, with a cap on how many may be
 * in flight; a slot that finds the cap reached is counted as missed, not queued, so an
 * overloaded prober shows up as a lower completion rate instead of a growing queue.
 */
import { seeded } from '../helpers/random.js';

/** Counts of a pacer so far. */
export interface PacerCounts {
  /** Requests that completed and were judged a success. */
  success: number;
  /** Requests that completed (or failed) and were not a success. */
  failure: number;
  /** Slots skipped because `maxInFlight` requests were still running, or the loop fell a period behind. */
  missed: number;
  /** Requests running now. */
  inFlight: number;
}

/** Options of {@link Pacer}. */
export interface PacerOptions {
  /** Distinct slots; slot `i` is request index `i` every period. */
  slots: number;
  /** Every slot fires once per period; the rate is `slots / periodMs` per ms. */
  periodMs: number;
  /** Seed of the offsets, so a run is repeatable. */
  seed: number;
  /** Cap on concurrent requests. */
  maxInFlight: number;
  /** The pacer stops by itself after this long, whatever happens. */
  maxDurationMs: number;
  /** One request; resolves true for a success. A rejection counts as a failure. */
  fire: (index: number) => Promise<boolean>;
  /** Clock in ms; tests pass a fake one. */
  now?: () => number;
}

/** A seeded PRNG (mulberry32), uniform in [0, 1). */
export const seededRandom = seeded;

/** Slot indices with their offsets (whole ms in `[0, periodMs)`), sorted by offset. */
export function spreadOffsets(slots: number, periodMs: number, seed: number): { index: number; offset: number }[] {
  const random = seededRandom(seed);
  return Array.from({ length: slots }, (_, index) => ({ index, offset: Math.floor(random() * periodMs) })).sort(
    (a, b) => a.offset - b.offset,
  );
}

/** Fires every slot once per period at its offset, until stopped or `maxDurationMs` elapses. */
export class Pacer {
  readonly counts: PacerCounts = { success: 0, failure: 0, missed: 0, inFlight: 0 };
  readonly #options: PacerOptions;
  readonly #now: () => number;
  readonly #order: { index: number; offset: number }[];
  #origin = 0;
  /** Position in `#order` of the next slot, and the period it is in. */
  #position = 0;
  #period = 0;
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(options: PacerOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#order = spreadOffsets(options.slots, options.periodMs, options.seed);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#origin = this.#now();
    this.#arm(0);
  }

  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Fires every slot due by now; returns ms until the next one. Public so tests can drive it with a fake clock. */
  tick(): number {
    const elapsed = this.#now() - this.#origin;
    if (elapsed >= this.#options.maxDurationMs) {
      this.stop();
      return Infinity;
    }
    // At most one period's worth per tick: a stalled loop skips what it missed instead of bursting.
    for (let n = 0; n < this.#order.length && this.#dueAt() <= elapsed; n++) {
      const { index } = this.#order[this.#position] as { index: number };
      if (elapsed - this.#dueAt() > this.#options.periodMs) this.counts.missed++;
      else this.#launch(index);
      if (++this.#position === this.#order.length) {
        this.#position = 0;
        this.#period++;
      }
    }
    return Math.max(0, this.#dueAt() - elapsed);
  }

  #dueAt(): number {
    return this.#period * this.#options.periodMs + (this.#order[this.#position]?.offset ?? 0);
  }

  #arm(delay: number): void {
    this.#timer = setTimeout(() => {
      if (!this.#running) return;
      const next = this.tick();
      if (this.#running) this.#arm(next);
    }, delay);
  }

  #launch(index: number): void {
    if (this.counts.inFlight >= this.#options.maxInFlight) {
      this.counts.missed++;
      return;
    }
    this.counts.inFlight++;
    this.#options.fire(index).then(
      (ok) => this.#settle(ok),
      () => this.#settle(false),
    );
  }

  #settle(ok: boolean): void {
    this.counts.inFlight--;
    if (ok) this.counts.success++;
    else this.counts.failure++;
  }
}
