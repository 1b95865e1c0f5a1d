/**
 * The gate's report: one object for `--json` (what a pipeline parses) and a table for
 * people reading the job log.
 */
import type { ResolvedCheck } from '../config/types.js';
import { formatDuration } from '../config/units.js';
import type { CheckResult } from '../results/types.js';
import { checkStats, judgeCheck, judgeGate, type GateThresholds } from './judge.js';

/** One check in the report. Durations are milliseconds. */
export interface GateCheckReport {
  name: string;
  /** The URL probed (the configured target moved onto the base URL). */
  target: string;
  /** The target as configured. */
  configuredTarget: string;
  runs: number;
  ok: number;
  /** null with no runs. */
  successRatio: number | null;
  p50: number | null;
  /** Over every attempt, failed ones included. */
  p95: number | null;
  pass: boolean;
  /** Thresholds missed, in words; empty when it passed. */
  why: string[];
  /** Failed attempts by reason. */
  failures: Record<string, number>;
  /** The first failed attempt, for a first look at what went wrong. */
  firstFailure?: { reason: string; message: string };
}

/** The whole report (`canary gate --json`). */
export interface GateReport {
  /** Every check passed. */
  pass: boolean;
  /** A stop signal ended the run early; the report judges the attempts that completed. */
  interrupted: boolean;
  baseUrl: string;
  /** `maxP95` in milliseconds, like `p50`/`p95`. */
  thresholds: { minSuccessRatio: number; maxP95: number };
  checks: GateCheckReport[];
}

/** Builds the report from the checks as probed, their configured targets, and their attempts. */
export function buildReport(
  input: { baseUrl: URL; thresholds: GateThresholds; interrupted: boolean },
  checks: readonly { check: ResolvedCheck; configuredTarget: string }[],
  results: ReadonlyMap<string, readonly CheckResult[]>,
): GateReport {
  const reports = checks.map(({ check, configuredTarget }): GateCheckReport => {
    const stats = checkStats(results.get(check.name) ?? []);
    const verdict = judgeCheck(stats, input.thresholds);
    return { name: check.name, target: check.target, configuredTarget, ...stats, ...verdict };
  });
  return {
    pass: judgeGate(reports),
    interrupted: input.interrupted,
    baseUrl: input.baseUrl.href,
    thresholds: { minSuccessRatio: input.thresholds.minSuccessRatio, maxP95: input.thresholds.maxP95Ms },
    checks: reports,
  };
}

const HEADERS = ['CHECK', 'RUNS', 'OK', 'RATIO', 'P50', 'P95', 'VERDICT', 'FIRST FAILURE'];

/** Longest first-failure text in the table; the JSON report has it whole. */
const MAX_FAILURE_TEXT = 100;

function row(c: GateCheckReport): string[] {
  const failure = c.firstFailure ? `${c.firstFailure.reason}: ${c.firstFailure.message}` : '-';
  return [
    c.name,
    String(c.runs),
    String(c.ok),
    c.successRatio === null ? '-' : c.successRatio.toFixed(3),
    c.p50 === null ? '-' : `${c.p50}ms`,
    c.p95 === null ? '-' : `${c.p95}ms`,
    c.pass ? 'PASS' : 'FAIL',
    failure.length > MAX_FAILURE_TEXT ? `${failure.slice(0, MAX_FAILURE_TEXT - 3)}...` : failure,
  ];
}

function table(rows: string[][]): string[] {
  const widths = HEADERS.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '));
}

/** The report as people read it: a line of context, a row per check, the verdict and why. */
export function formatReport(report: GateReport): string {
  const t = report.thresholds;
  const lines = [`gate ${report.baseUrl}: success ratio >= ${t.minSuccessRatio}, p95 <= ${formatDuration(t.maxP95)}`];
  if (report.interrupted) lines.push('interrupted: judging only the attempts that completed');
  lines.push('', ...table([HEADERS, ...report.checks.map(row)]), '');
  for (const c of report.checks) for (const why of c.why) lines.push(`${c.name}: ${why}`);
  const failed = report.checks.filter((c) => !c.pass).length;
  lines.push(
    report.pass
      ? `PASS: ${report.checks.length} of ${report.checks.length} checks passed`
      : `FAIL: ${failed} of ${report.checks.length} checks failed`,
  );
  return lines.join('\n');
}
