/**
 * What refuses a `canary chaos run` before anything is touched: a missing approval, a halt
 * (this host's or the fleet's), another region's run of the same experiment, and an error budget that is too low or cannot be known.
 */
import { budgetPercent, budgetVerdict, sloChecks, standaloneBudgetRefusal } from '../../../chaos/budget.js';
import { fleetHaltReason, runLabels } from '../../../chaos/fleet/halt.js';
import { otherRegionReason } from '../../../chaos/fleet/others.js';
import type { Experiment } from '../../../chaos/model/experiment.js';
import { promqlBudgetSource } from '../../../chaos/promql/budget.js';
import { haltStatus } from '../../../chaos/state/halt.js';
import type { Config } from '../../../config/types.js';
import { usageError } from '../../exit.js';

/**
 * Why the run may not start: this host's halt, the fleet's halt in Alertmanager, or the same
 * experiment running in another region; undefined when nothing holds it back.
 */
export async function haltRefusal(
  experiment: Experiment,
  config: Config,
  alertmanager: string | undefined,
): Promise<string | undefined> {
  const halted = await haltStatus(config.chaos.stateDir);
  if (halted) {
    const why = halted.reason ? ` (${halted.reason})` : '';
    return `chaos is halted on this host by ${halted.operator} since ${halted.at}${why}; \`canary chaos resume\` first`;
  }
  if (!alertmanager) return undefined;
  const labels = runLabels(experiment, config.agent.region);
  const policy = config.chaos.onUnreachable.start;
  const fleetHalt = await fleetHaltReason(alertmanager, labels, policy);
  if (fleetHalt) return `${fleetHalt}; \`canary chaos resume --fleet\` first`;
  return otherRegionReason(alertmanager, experiment.name, config.agent.region, policy);
}

/** `requireApproval`: a second person, named, who is not the operator. */
export function checkApproval(operator: string, approvedBy: string | undefined): void {
  if (!approvedBy)
    throw usageError(
      'this experiment has requireApproval: true; pass --approved-by NAME (a person other than the operator)',
    );
  if (approvedBy === operator)
    throw usageError(`--approved-by must name someone other than the operator (${operator})`);
}

/**
 * `requireErrorBudget` on a standalone run: Prometheus is asked when there is one; the run
 * is refused when the budget is below `min` or unknown, and always without a Prometheus
 * (a standalone run has seen none of the SLO window). `note` hears the figure that let it go.
 */
export async function budgetRefusal(
  experiment: Experiment,
  config: Config,
  prometheus: string | undefined,
  note: (line: string) => void,
): Promise<string | undefined> {
  const gate = experiment.requireErrorBudget;
  if (gate === undefined) return undefined;
  if (prometheus === undefined) return standaloneBudgetRefusal(experiment);
  const reading = await promqlBudgetSource(prometheus, sloChecks(config)).remaining(gate.slo);
  const why = budgetVerdict(gate, reading);
  if (why !== undefined) return `${why}; experiment "${experiment.name}" not run (nothing was touched)`;
  if (reading.remaining !== undefined)
    note(
      `error budget of "${gate.slo}": ${budgetPercent(reading.remaining)} left (${reading.source}), ` +
        `requireErrorBudget.min is ${budgetPercent(gate.min)}`,
    );
  return undefined;
}
