/**
 * The second line of defence when regions take turns: before a run starts, Alertmanager is
 * asked whether another region is running the same experiment (its runner keeps
 * `CanaryChaosExperimentActive` firing). Not a lock: two regions asking in the same instant
 * can both see nothing; the turns of `schedule.fleet` are what keeps them apart.
 */
import { errorMessage } from '../../errors.js';
import { ACTIVE_ALERT, activeAlerts, type Alert } from './alertmanager.js';
import type { UnreachablePolicy } from './halt.js';

/** The active run of `experiment` in a region other than `region`, undefined when none. */
export async function otherRegionRun(
  alertmanager: string,
  experiment: string,
  region: string,
): Promise<Alert | undefined> {
  return (await activeAlerts(alertmanager, ACTIVE_ALERT)).find(
    (a) => a.labels.experiment === experiment && a.labels.region !== region,
  );
}

/** Words for another region's run, for refusals and logs. */
export function describeOtherRun(alert: Alert): string {
  const { experiment, region, run, operator } = alert.labels;
  return `experiment "${experiment}" is already running in region ${region} (run ${run ?? '?'}, by ${operator ?? 'unknown'}); regions take turns`;
}

/** Why a new run may not start because another region runs it (or, under `halt`, nobody can tell). */
export async function otherRegionReason(
  alertmanager: string,
  experiment: string,
  region: string,
  onUnreachable: UnreachablePolicy,
): Promise<string | undefined> {
  try {
    const other = await otherRegionRun(alertmanager, experiment, region);
    return other ? describeOtherRun(other) : undefined;
  } catch (error) {
    if (onUnreachable === 'continue') return undefined;
    return `other regions' runs cannot be checked (onUnreachable.start: halt): ${errorMessage(error)}`;
  }
}
