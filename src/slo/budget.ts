/**
 * The error budget: the failures an SLO allows. With an objective of 99.9%, 0.1% of runs
 * may fail over the SLO window; the remaining budget is the share of that allowance not
 * yet spent, from 1 (no failures) down to 0 (spent, or overspent).
 */

/** Runs counted over (part of) an SLO window. */
export interface RunCounts {
  total: number;
  /** Of which failed. */
  bad: number;
}

/**
 * Remaining error budget, 1 − (bad fraction ÷ (1 − objective)), clamped to [0, 1]: an
 * overspent budget is gone, not negative. Undefined without runs: no data is not a full
 * budget, and a gate must not spend what nobody has measured.
 */
export function remainingBudget(counts: RunCounts, objective: number): number | undefined {
  if (!(counts.total > 0)) return undefined;
  const allowed = 1 - objective;
  const spent = counts.bad / counts.total / allowed;
  return Math.min(1, Math.max(0, 1 - spent));
}
