/**
 * `requireErrorBudget`: chaos spends error budget on purpose, so a run starts only while
 * enough is left. The budget comes from the fleet's Prometheus when one is configured
 * (`chaos.prometheus`, or `--prometheus` on a standalone run), else from the agent's own
 * tally of the check's results over the SLO window; a standalone run with neither refuses
 * gated experiments.
 */
import type { Config } from '../config/types.js';
import type { EventBus } from '../results/bus.js';
import type { SloTally, TalliedSlo } from '../slo/tally.js';
import type { ErrorBudgetGate, Experiment } from './model/experiment.js';

/** A remaining budget (0..1), or why it is not known; `source` says who judged it. */
export type BudgetReading = { source: string } & ({ remaining: number } | { remaining?: undefined; unknown: string });

/** Where remaining budgets come from: the agent's SLO tally, or Prometheus. */
export interface BudgetSource {
  /** Remaining error budget of a check's SLO now. Never rejects: an unreachable source is an unknown budget. */
  remaining(check: string): Promise<BudgetReading>;
}

/** Why the skip counter counts a scheduled run as skipped. */
export const BUDGET_SKIP_REASON = 'error_budget';

/** `0.253` as `25.3%`. */
export function budgetPercent(ratio: number): string {
  return `${+(ratio * 100).toFixed(1)}%`;
}

/** Why `gate` holds a run back on `reading`, or undefined when it may run. */
export function budgetVerdict(gate: ErrorBudgetGate, reading: BudgetReading): string | undefined {
  if (reading.remaining === undefined)
    return `error budget of "${gate.slo}" is unknown (${reading.source}): ${reading.unknown}`;
  if (reading.remaining < gate.min)
    return (
      `error budget of "${gate.slo}" too low: ${budgetPercent(reading.remaining)} left (${reading.source}), ` +
      `requireErrorBudget.min is ${budgetPercent(gate.min)}`
    );
  return undefined;
}

/**
 * Judges a scheduled run's budget gate and reports it on the bus: the remaining budget for
 * the gauge, and a skip for the counter. Undefined when the experiment has no gate or may run.
 */
export async function budgetSkipReason(
  exp: Experiment,
  source: BudgetSource | undefined,
  bus: EventBus,
): Promise<string | undefined> {
  const gate = exp.requireErrorBudget;
  if (gate === undefined) return undefined;
  const reading: BudgetReading = source
    ? await source.remaining(gate.slo)
    : { source: 'agent', unknown: 'no budget source: chaos is not enabled in this agent' };
  if (reading.remaining !== undefined)
    bus.emit('chaos.budget', { experiment: exp.name, slo: gate.slo, remaining: reading.remaining });
  const why = budgetVerdict(gate, reading);
  if (why !== undefined) bus.emit('chaos.run.skipped', { experiment: exp.name, reason: BUDGET_SKIP_REASON });
  return why;
}

/** The agent's tally as a budget source: what it has counted since the process started. */
export function tallyBudgetSource(tally: SloTally): BudgetSource {
  return {
    remaining(check: string): Promise<BudgetReading> {
      const remaining = tally.remaining(check);
      return Promise.resolve(
        remaining === undefined
          ? { source: "the agent's tally", unknown: 'no results of the check in its SLO window yet' }
          : { source: "the agent's tally", remaining },
      );
    },
  };
}

/** The configured checks with an `slo:`, by name: what the tally counts and the PromQL source asks about. */
export function sloChecks(config: Config): Map<string, TalliedSlo> {
  return new Map(config.checks.flatMap((c) => (c.slo ? [[c.name, c.slo] as const] : [])));
}

/** What a standalone `canary chaos run` without a Prometheus says when it refuses a gated experiment. */
export function standaloneBudgetRefusal(exp: Experiment): string | undefined {
  const gate = exp.requireErrorBudget;
  if (gate === undefined) return undefined;
  return (
    `experiment "${exp.name}" has requireErrorBudget (slo "${gate.slo}", min ${budgetPercent(gate.min)}): ` +
    "a standalone run has not seen the check's SLO window and no Prometheus is configured to ask; " +
    'pass --prometheus URL (or set chaos.prometheus) to judge the budget from the fleet, ' +
    'let the agent run it on its schedule (canary run --enable-chaos), or remove requireErrorBudget (nothing was touched)'
  );
}
