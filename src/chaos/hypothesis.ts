/**
 * Steady-state hypotheses judged from live canary results: the same rolling windows the
 * agent's metrics come from, so "steady" means what the dashboards show.
 */
import type { ResultWindows } from '../results/window.js';
import type { Comparison, Tolerance } from './model/experiment.js';
import type { HypothesisReport } from './model/journal.js';

type Measure = 'successRatio' | 'p50' | 'p95' | 'p99';
const MEASURES: readonly Measure[] = ['successRatio', 'p50', 'p95', 'p99'];

/** One tolerance judged: whether there were enough results, and whether every comparison held. */
export interface EntryVerdict {
  check: string;
  /** Enough samples to say anything. */
  judgeable: boolean;
  /** Judgeable and every comparison true. */
  holds: boolean;
  samples: number;
  values: Partial<Record<Measure, number>>;
  /** Comparisons that were false, or why the entry could not be judged. */
  failed: string[];
}

export function compare(c: Comparison, value: number): boolean {
  switch (c.op) {
    case '<':
      return value < c.value;
    case '<=':
      return value <= c.value;
    case '>':
      return value > c.value;
    case '>=':
      return value >= c.value;
    case '==':
      return value === c.value;
  }
}

function show(measure: Measure, value: number): string {
  return measure === 'successRatio' ? value.toFixed(4) : `${(value * 1000).toFixed(1)}ms`;
}

/**
 * Judges one tolerance over its window ending at `now`. With `sinceMs`, results before
 * that moment are left out (recovery is judged on what came after the rollback only).
 */
export function judge(t: Tolerance, windows: ResultWindows, now: number, sinceMs?: number): EntryVerdict {
  const windowMs = sinceMs === undefined ? t.windowMs : Math.max(1, Math.min(t.windowMs, now - sinceMs));
  const stats = windows.stats(t.check, windowMs, now);
  const samples = stats?.count ?? 0;
  if (!stats || samples < t.minSamples) {
    return {
      check: t.check,
      judgeable: false,
      holds: false,
      samples,
      values: {},
      failed: [`${samples} of ${t.minSamples} samples needed`],
    };
  }
  const values: Partial<Record<Measure, number>> = {};
  const failed: string[] = [];
  for (const measure of MEASURES) {
    const c = t[measure];
    if (!c) continue;
    const value = stats[measure];
    values[measure] = value;
    if (!compare(c, value)) failed.push(`${measure} ${c.text} (got ${show(measure, value)})`);
  }
  return { check: t.check, judgeable: true, holds: failed.length === 0, samples, values, failed };
}

/** Every entry judged, as the journal records it. */
export function report(verdicts: readonly EntryVerdict[], holds: boolean, now: number): HypothesisReport {
  return {
    at: new Date(now).toISOString(),
    holds,
    entries: verdicts.map((v) => ({
      check: v.check,
      holds: v.holds,
      samples: v.samples,
      values: v.values,
      failed: v.failed,
    })),
  };
}

/** The steady state: holds when every entry holds (an empty steady state always holds). */
export function steadyState(
  tolerances: readonly Tolerance[],
  windows: ResultWindows,
  now = Date.now(),
  sinceMs?: number,
): HypothesisReport {
  const verdicts = tolerances.map((t) => judge(t, windows, now, sinceMs));
  return report(
    verdicts,
    verdicts.every((v) => v.holds),
    now,
  );
}

/**
 * Abort conditions: tripped when any entry is judgeable and all its comparisons are true.
 * An entry without enough samples does not trip: absence of data is not a failure signal
 * (a check that stops reporting altogether is the steady state's business).
 */
export function abortTripped(
  tolerances: readonly Tolerance[],
  windows: ResultWindows,
  now = Date.now(),
): HypothesisReport | undefined {
  const verdicts = tolerances.map((t) => judge(t, windows, now));
  return verdicts.some((v) => v.holds) ? report(verdicts, false, now) : undefined;
}

/** Whether every entry has enough samples to be judged (since `sinceMs` when given). */
export function judgeable(
  tolerances: readonly Tolerance[],
  windows: ResultWindows,
  now = Date.now(),
  sinceMs?: number,
): boolean {
  return tolerances.every((t) => judge(t, windows, now, sinceMs).judgeable);
}

/**
 * Polls until `done` says so or the time is up; resolves with the last value. Polling at a
 * fraction of a second is enough: results arrive at check intervals, never faster than 100 ms.
 */
export async function pollUntil<T>(
  fn: () => T,
  done: (value: T) => boolean,
  timeoutMs: number,
  signal?: AbortSignal,
  everyMs = 100,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let value = fn();
  while (!done(value) && Date.now() < until && !signal?.aborted) {
    await new Promise((resolve) => setTimeout(resolve, everyMs));
    value = fn();
  }
  return value;
}

/**
 * Waits for the steady state to hold, judged on results since `sinceMs` when given, for at
 * most `timeoutMs`; resolves with the last report, held or not.
 */
export function awaitSteadyState(
  tolerances: readonly Tolerance[],
  windows: ResultWindows,
  timeoutMs: number,
  signal?: AbortSignal,
  sinceMs?: number,
): Promise<HypothesisReport> {
  return pollUntil(
    () => steadyState(tolerances, windows, Date.now(), sinceMs),
    (r) => r.holds,
    timeoutMs,
    signal,
  );
}
