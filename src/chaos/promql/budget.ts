/**
 * The remaining error budget of a check's SLO as the fleet's Prometheus sees it: every
 * region's runs over the whole SLO window, not only what this process has counted since it
 * started. Same arithmetic as the agent's own tally (src/slo/budget.ts), done by Prometheus.
 * An error, an empty, unreadable or stale answer leaves the budget unknown: a gate never
 * lets a run through on a figure nobody measured.
 */
import { CANARY } from '../../exporters/prometheus/vocabulary.js';
import type { BudgetReading, BudgetSource } from '../budget.js';
import { queryPrometheus } from './client.js';
import type { PromAnswer } from './verdict.js';

/** What the query needs of a check's `slo:`. */
export interface QueriedSlo {
  objective: number;
  /** ms */
  window: number;
}

/** Longest wait for each of the two queries. */
export const BUDGET_QUERY_TIMEOUT_MS = 10_000;

/**
 * How old the newest scraped sample of the check may be: three missed scrapes at the usual
 * 1m interval. Older, nobody is watching the check now, and a window that ended in the past
 * says nothing of the budget left today.
 */
export const BUDGET_STALE_AFTER_MS = 180_000;

/** `30d`, `36h`, `90m`: the largest whole unit, as PromQL writes a range (no fractions). */
export function promDuration(ms: number): string {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
  ];
  for (const [unit, size] of units) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${Math.max(1, Math.round(ms / 1000))}s`;
}

/** `canary_probe_runs_total{check="api"`: the series every region's agent exports for the check. */
function runsSelector(check: string): string {
  // Check names are letters, digits and `_ . : -`; JSON quoting is PromQL quoting for them.
  return `${CANARY.runs.name}{check=${JSON.stringify(check)}`;
}

/**
 * The remaining budget, summed over every region (and every failure reason):
 *
 *   clamp(1 - (1 - success ÷ all) / (1 - objective), 0, 1)
 *
 * where success and all are `sum(increase(canary_probe_runs_total{check=C[,result="success"]}[WINDOW]))`.
 * No runs in the window make 0 ÷ 0, NaN: unknown, as the tally says of an empty window.
 */
export function budgetQuery(check: string, slo: QueriedSlo): string {
  const range = `[${promDuration(slo.window)}]`;
  const success = `sum(increase(${runsSelector(check)},result="success"}${range}))`;
  const all = `sum(increase(${runsSelector(check)}}${range}))`;
  return `clamp(1 - (1 - ${success} / ${all}) / (1 - ${slo.objective}), 0, 1)`;
}

/** Seconds since the newest sample of the check's runs was scraped, in any region. */
export function freshnessQuery(check: string): string {
  return `time() - max(timestamp(${runsSelector(check)}}))`;
}

/** The one value of an answer, or why there is none. */
function single(answer: PromAnswer, what: string): number | string {
  if (!answer.ok) return `prometheus: ${answer.error}`;
  const [sample, ...more] = answer.samples;
  if (sample === undefined) return `no ${what} in Prometheus (${CANARY.runs.name} of the check is not scraped)`;
  if (more.length > 0) return `${answer.samples.length} series where one was expected`;
  return sample.value;
}

/** The budget judged on the two answers (pure); `source` names the Prometheus for messages. */
export function readBudget(budget: PromAnswer, freshness: PromAnswer): BudgetReading {
  const source = 'Prometheus';
  const age = single(freshness, 'current series');
  if (typeof age === 'string') return { source, unknown: age };
  if (!(age * 1000 <= BUDGET_STALE_AFTER_MS))
    return {
      source,
      unknown: `stale: the newest sample of the check is ${Math.round(age)}s old (more than ${BUDGET_STALE_AFTER_MS / 1000}s)`,
    };
  const remaining = single(budget, 'runs');
  if (typeof remaining === 'string') return { source, unknown: remaining };
  if (!Number.isFinite(remaining)) return { source, unknown: 'no runs of the check in its SLO window in Prometheus' };
  return { source, remaining: Math.min(1, Math.max(0, remaining)) };
}

/** Remaining budgets from the Prometheus at `base`, for the checks of `slos` (name → its `slo:`). */
export function promqlBudgetSource(base: string, slos: ReadonlyMap<string, QueriedSlo>): BudgetSource {
  return {
    async remaining(check: string): Promise<BudgetReading> {
      const slo = slos.get(check);
      if (slo === undefined) return { source: 'Prometheus', unknown: `check "${check}" has no slo:` };
      const [budget, freshness] = await Promise.all([
        queryPrometheus(base, budgetQuery(check, slo), BUDGET_QUERY_TIMEOUT_MS),
        queryPrometheus(base, freshnessQuery(check), BUDGET_QUERY_TIMEOUT_MS),
      ]);
      return readBudget(budget, freshness);
    },
  };
}
