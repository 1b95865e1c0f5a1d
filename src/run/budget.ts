/**
 * How long one run of a check may take, and the words it is aborted with when that time
 * is up. One place for both: the scheduler's deadline, a probe worker's own deadline and
 * each attempt's timeout all say the same thing.
 */
import { worstRunMs } from '../config/schema/base.js';
import type { ResolvedCheck } from '../config/types.js';

/**
 * How long a whole run may take: every attempt timing out plus every backoff
 * ({@link worstRunMs}), and for an interval check no more than its interval, so a run
 * never overlaps the next one. The first attempt always gets its whole timeout.
 */
export function runBudgetMs(check: ResolvedCheck): number {
  const worst = worstRunMs(check.timeoutMs, check.retries);
  if (check.schedule.kind !== 'interval') return worst;
  return Math.min(worst, Math.max(check.schedule.everyMs, check.timeoutMs));
}

/** The reason one attempt is aborted with when its own timeout passes. */
export function attemptTimeout(timeoutMs: number): DOMException {
  return new DOMException(`probe timed out after ${timeoutMs}ms`, 'TimeoutError');
}

/**
 * The reason a run is aborted with at its deadline. A run of one attempt keeps the probe's
 * own message; with retries, the budget is the run's. Made only when the deadline passes.
 */
export function runTimeout(check: ResolvedCheck, budgetMs: number): DOMException {
  return check.retries.count === 0
    ? attemptTimeout(check.timeoutMs)
    : new DOMException(`run timed out after ${budgetMs}ms`, 'TimeoutError');
}

/**
 * The deadline policy the scheduler is handed (its `deadline` option): the scheduler
 * knows when a run is over, not why that is the right time.
 */
export const RUN_DEADLINE = { budgetMs: runBudgetMs, reason: runTimeout } as const;
