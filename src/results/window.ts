/**
 * Rolling windows of results per check: the steady state that chaos hypotheses and
 * `canary gate` read ("successRatio >= 0.99 and p95 < 300ms over the last 30s").
 */
import { CanaryError, ERROR_CODES } from '../errors.js';
import type { EventBus } from './bus.js';
import { ALL_FAILURE_REASONS, type FailureReason } from './reasons.js';
import type { CheckResult } from './types.js';
import { quantile } from './window/quantile.js';
import { SampleRing } from './window/ring.js';

/** One run as the window holds it. */
export interface WindowSample {
  /** When it finished, epoch ms. */
  at: number;
  durationSeconds: number;
  ok: boolean;
  /** Why it failed; absent when ok. */
  reason?: FailureReason;
}

/** A reason as one byte in the ring: its place in the closed set, plus one (0: none). */
function reasonCode(reason: FailureReason | undefined): number {
  return reason === undefined ? 0 : ALL_FAILURE_REASONS.indexOf(reason) + 1;
}

/** Most samples kept per check, whatever the retention. */
export const DEFAULT_MAX_SAMPLES = 4_096;

/** Results between sweeps for checks that stopped reporting (removed on reload). */
const SWEEP_EVERY = 1_024;

/** How much history {@link ResultWindows} keeps. */
export interface ResultWindowsOptions {
  /** How far back results are kept, ms; the longest window anyone may ask for. */
  retentionMs: number;
  /**
   * Cap on samples per check, so a check run very often cannot grow memory without bound;
   * once reached, the window sees only the newest `maxSamples` results.
   * @defaultValue {@link DEFAULT_MAX_SAMPLES}
   */
  maxSamples?: number;
}

/** A check's results over a window. Durations are seconds. */
export interface WindowStats {
  /** Results in the window. */
  count: number;
  /** Of which ok. */
  successes: number;
  /** successes / count. */
  successRatio: number;
  /** Quantiles of the attempt durations, failures included (a timeout is slow, not absent). */
  p50: number;
  p95: number;
  p99: number;
}

/**
 * Keeps, per check, the recent results published on the bus, and answers window queries.
 * A result counts at the moment it finished (`startedAt` + its duration), the moment the
 * bus saw it. Quantiles are computed on demand by sorting a copy of the window's
 * durations: at most `maxSamples` numbers, a few hundred in practice, queried a few times
 * per second at most, so an estimator (t-digest, histogram) would buy nothing but error.
 *
 * @example
 * const windows = new ResultWindows(bus, { retentionMs: 300_000 });
 * const s = windows.stats('lab-frontend', 30_000);
 * const steady = s !== undefined && s.successRatio >= 0.99 && s.p95 < 0.3;
 */
export class ResultWindows {
  readonly #retentionMs: number;
  readonly #maxSamples: number;
  readonly #rings = new Map<string, SampleRing>();
  readonly #unsubscribe: () => void;
  #sinceSweep = 0;

  constructor(bus: EventBus, options: ResultWindowsOptions) {
    const { retentionMs, maxSamples = DEFAULT_MAX_SAMPLES } = options;
    if (!(retentionMs > 0))
      throw new CanaryError(ERROR_CODES.internal, `retentionMs must be positive, got ${retentionMs}`);
    if (!Number.isInteger(maxSamples) || maxSamples < 1) {
      throw new CanaryError(ERROR_CODES.internal, `maxSamples must be a positive integer, got ${maxSamples}`);
    }
    this.#retentionMs = retentionMs;
    this.#maxSamples = maxSamples;
    this.#unsubscribe = bus.on('result', (result) => this.#record(result));
  }

  /**
   * Stats over the results that finished in `(now - windowMs, now]`; undefined when there
   * are none (a check never seen, or silent for the whole window): no data is not a
   * success ratio of 0, and callers decide what it means for them.
   *
   * @param now - epoch ms; tests pass it, everyone else lets it default to the clock
   * @throws CanaryError when `windowMs` exceeds the retention: the answer would silently
   *   cover less time than asked.
   */
  stats(check: string, windowMs: number, now: number = Date.now()): WindowStats | undefined {
    if (windowMs > this.#retentionMs) {
      throw new CanaryError(
        ERROR_CODES.internal,
        `window of ${windowMs}ms is longer than the ${this.#retentionMs}ms retained`,
      );
    }
    const ring = this.#rings.get(check);
    if (ring === undefined) return undefined;
    const { count, successes, durations } = ring.collect(now - windowMs, now);
    if (count === 0) return undefined;
    const sorted = durations.sort((a, b) => a - b);
    return {
      count,
      successes,
      successRatio: successes / count,
      p50: quantile(sorted, 0.5),
      p95: quantile(sorted, 0.95),
      p99: quantile(sorted, 0.99),
    };
  }

  /** Up to `limit` of the check's newest results held, newest first (empty for a check never seen). */
  latest(check: string, limit: number): WindowSample[] {
    const ring = this.#rings.get(check);
    if (ring === undefined) return [];
    return ring.newestSamples(limit).map(({ at, durationSeconds, ok, code }) => {
      const reason = code > 0 ? ALL_FAILURE_REASONS[code - 1] : undefined;
      return reason === undefined ? { at, durationSeconds, ok } : { at, durationSeconds, ok, reason };
    });
  }

  /**
   * The ok flags of the check's newest results (at most 30) as bits, bit 0 the newest, and
   * how many there were; the time of the newest. Cheap enough to ask for every check.
   */
  flags(check: string, limit: number): { count: number; bits: number; newest: number | undefined } {
    const ring = this.#rings.get(check);
    if (ring === undefined) return { count: 0, bits: 0, newest: undefined };
    return { ...ring.newestFlags(limit), newest: ring.newest() };
  }

  /** Checks with results held now. */
  checks(): string[] {
    return [...this.#rings.keys()];
  }

  /** Stops listening to the bus and drops every sample. */
  close(): void {
    this.#unsubscribe();
    this.#rings.clear();
  }

  #record(result: CheckResult): void {
    const at = result.startedAt + result.durationSeconds * 1_000;
    let ring = this.#rings.get(result.check);
    if (ring === undefined) {
      ring = new SampleRing(this.#maxSamples);
      this.#rings.set(result.check, ring);
    }
    ring.push(at, result.durationSeconds, result.ok, result.ok ? 0 : reasonCode(result.reason));
    ring.evictBefore(at - this.#retentionMs);
    if (++this.#sinceSweep >= SWEEP_EVERY) this.#sweep(at);
  }

  /** Forgets checks whose newest result is older than the retention (removed by a reload). */
  #sweep(now: number): void {
    this.#sinceSweep = 0;
    // forEach, not for...of over entries: no [key, value] array per check and sweep.
    this.#rings.forEach((ring, check) => {
      if ((ring.newest() ?? -Infinity) < now - this.#retentionMs) this.#rings.delete(check);
    });
  }
}
