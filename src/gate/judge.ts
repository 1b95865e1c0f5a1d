/**
 * Judges a check's attempts against the gate's thresholds. Pure: results in, verdict out.
 */
import type { CheckResult } from '../results/types.js';
import { quantile } from '../results/window/quantile.js';

/** What a check must show to pass. */
export interface GateThresholds {
  /** Passing attempts / attempts must be at least this (0..1). */
  minSuccessRatio: number;
  /** The p95 of attempt durations must be at most this, ms. */
  maxP95Ms: number;
}

/** A check's attempts, summed up. Durations are milliseconds. */
export interface CheckStats {
  /** Attempts that completed (attempts cut short by a stop are not counted). */
  runs: number;
  /** Of which passed. */
  ok: number;
  /** ok / runs; null with no runs (no data is not a ratio of 0). */
  successRatio: number | null;
  /**
   * Quantiles of the durations of every attempt, failed ones included: a timeout is slow,
   * not absent, and leaving failures out would let a failing service look fast. Null with
   * no runs.
   */
  p50: number | null;
  p95: number | null;
  /** Failed attempts by reason. */
  failures: Record<string, number>;
  /** The first failed attempt's reason and message, for the human table. */
  firstFailure?: { reason: string; message: string };
}

/** A check's verdict and, when it failed, why (one line per threshold missed). */
export interface CheckVerdict {
  pass: boolean;
  why: string[];
}

/** Rounds milliseconds to a tenth, enough for a report and stable in JSON. */
function ms(seconds: number): number {
  return Math.round(seconds * 10_000) / 10;
}

/** Sums up a check's attempts. */
export function checkStats(results: readonly CheckResult[]): CheckStats {
  const failures: Record<string, number> = {};
  let firstFailure: CheckStats['firstFailure'];
  for (const r of results) {
    if (r.ok) continue;
    const reason = r.reason ?? 'unknown';
    failures[reason] = (failures[reason] ?? 0) + 1;
    firstFailure ??= { reason, message: r.message ?? reason };
  }
  const runs = results.length;
  const ok = results.filter((r) => r.ok).length;
  const sorted = results.map((r) => r.durationSeconds).sort((a, b) => a - b);
  return {
    runs,
    ok,
    successRatio: runs === 0 ? null : ok / runs,
    p50: runs === 0 ? null : ms(quantile(sorted, 0.5)),
    p95: runs === 0 ? null : ms(quantile(sorted, 0.95)),
    failures,
    ...(firstFailure ? { firstFailure } : {}),
  };
}

/**
 * Passes when the success ratio is at least the minimum and the p95 at most the maximum.
 * A check with no completed attempt fails: a gate that saw nothing must not let a
 * deployment through.
 */
export function judgeCheck(stats: CheckStats, thresholds: GateThresholds): CheckVerdict {
  if (stats.runs === 0 || stats.successRatio === null || stats.p95 === null)
    return { pass: false, why: ['no attempt completed'] };
  const why: string[] = [];
  if (stats.successRatio < thresholds.minSuccessRatio) {
    why.push(
      `success ratio ${round(stats.successRatio)} < ${thresholds.minSuccessRatio} (${stats.ok} of ${stats.runs} passed)`,
    );
  }
  if (stats.p95 > thresholds.maxP95Ms) why.push(`p95 ${stats.p95}ms > ${thresholds.maxP95Ms}ms`);
  return { pass: why.length === 0, why };
}

/** The whole gate passes when there is at least one check and every check passes. */
export function judgeGate(verdicts: readonly CheckVerdict[]): boolean {
  return verdicts.length > 0 && verdicts.every((v) => v.pass);
}

function round(ratio: number): number {
  return Math.round(ratio * 10_000) / 10_000;
}
