/**
 * Multi-window, multi-burn-rate alerting as the Google SRE workbook ("Alerting on SLOs")
 * sets it out. A burn rate is how fast the error budget goes: 1 spends exactly the whole
 * budget over the SLO window, 14.4 spends a 30-day budget in about two days.
 */

/** The range windows the error-ratio recording rules are kept for. */
export const RATE_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;

/** One of {@link RATE_WINDOWS}. */
export type RateWindow = (typeof RATE_WINDOWS)[number];

const WINDOW_MS: Record<RateWindow, number> = {
  '5m': 300_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '2h': 7_200_000,
  '6h': 21_600_000,
  '1d': 86_400_000,
  '3d': 259_200_000,
};

/** Milliseconds of a rate window. */
export function windowMs(window: RateWindow): number {
  return WINDOW_MS[window];
}

/**
 * One alerting condition: the error budget share spent over `long` is at least
 * `budgetPercent`, and the `short` window (a twelfth of it) still burns as fast, so the
 * alert stops soon after the burning does.
 */
export interface BurnCondition {
  long: RateWindow;
  short: RateWindow;
  /** Share of the whole SLO window's budget spent within `long`, in percent. */
  budgetPercent: number;
}

/** Page: 2% of the budget gone in 1h, or 5% in 6h (14.4× and 6× for a 30d window). */
export const FAST_BURN: readonly BurnCondition[] = [
  { long: '1h', short: '5m', budgetPercent: 2 },
  { long: '6h', short: '30m', budgetPercent: 5 },
];

/** Ticket: 10% of the budget gone in 1d, or in 3d (3× and 1× for a 30d window). */
export const SLOW_BURN: readonly BurnCondition[] = [
  { long: '1d', short: '2h', budgetPercent: 10 },
  { long: '3d', short: '6h', budgetPercent: 10 },
];

/**
 * The burn rate at which `budgetPercent` of an SLO window's budget is spent within `long`:
 * budget share × SLO window / long window. For the workbook's 30-day window this gives its
 * 14.4, 6, 3 and 1; a 28-day window gives 13.44, 5.6, 2.8 and 1. Never below 1: a check
 * burning slower than that does not spend its budget within the window, so short windows
 * (a 1d SLO would give 0.48 for the 1h page) alert on any over-budget burn instead of on
 * errors the budget allows. Rounded to four decimals so the rules read as written.
 */
export function burnRateFactor(condition: BurnCondition, sloWindowMs: number): number {
  const factor = (condition.budgetPercent / 100) * (sloWindowMs / windowMs(condition.long));
  return Math.max(1, Math.round(factor * 10_000) / 10_000);
}

/**
 * The conditions that apply to an SLO window: one whose long window is longer than the SLO
 * window itself would judge more time than the budget covers, so it is left out (a 1d SLO
 * keeps 1h, 6h and 1d, and drops 3d).
 */
export function applicable(conditions: readonly BurnCondition[], sloWindowMs: number): BurnCondition[] {
  return conditions.filter((c) => windowMs(c.long) <= sloWindowMs);
}
