/**
 * On-call sees every run: while an experiment runs, its runner keeps the alert
 * `CanaryChaosExperimentActive` firing in Alertmanager with a short lease (endsAt), renewed
 * well before it lapses, and resolves it when the run ends. A runner that dies stops
 * renewing, so the alert resolves by itself within one lease: never a stale "running".
 * Alertmanager being down never fails a run; it is logged.
 */
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Experiment } from '../model/experiment.js';
import type { AlertLink, Journal } from '../model/journal.js';
import type { RunnerDeps } from '../run-deps.js';
import type { FleetWatch } from './halt.js';
import { ACTIVE_ALERT, postAlerts, type Alert } from './alertmanager.js';

/** How often the alert is renewed. */
export const ACTIVE_REFRESH_MS = 10_000;
/** A renewal keeps it firing for this many periods: three missed renewals before it resolves by itself. */
const LEASE_PERIODS = 3;

/** Who runs what, where: the alert's labels. */
export function activeAlertLink(
  alertmanager: string,
  o: { experiment: Experiment; region: string; operator: string; runId: string },
): AlertLink {
  const targets = Object.keys(o.experiment.targets).sort();
  return {
    alertmanager,
    labels: {
      alertname: ACTIVE_ALERT,
      experiment: o.experiment.name,
      region: o.region,
      operator: o.operator,
      target: targets.length > 0 ? targets.join(',') : 'none',
      run: o.runId,
    },
  };
}

/** Keeps the alert of `link` firing until `stop()`, which resolves it. */
export function keepActiveAlert(
  link: AlertLink,
  logger: Logger,
  refreshMs = ACTIVE_REFRESH_MS,
): { stop(): Promise<void> } {
  const startsAt = new Date().toISOString();
  const alert = (endsAt: number): Alert => ({
    labels: link.labels,
    annotations: { summary: `chaos experiment ${link.labels.experiment} is running in ${link.labels.region}` },
    startsAt,
    endsAt: new Date(endsAt).toISOString(),
  });
  let warned = false;
  const send = async (endsAt: number, what: string): Promise<void> => {
    try {
      await postAlerts(link.alertmanager, [alert(endsAt)]);
      warned = false;
    } catch (error) {
      // Once per outage, not once per renewal.
      if (!warned) logger.warn({ alert: ACTIVE_ALERT, run: link.labels.run }, `${what}: ${errorMessage(error)}`);
      warned = true;
    }
  };
  let pending = send(Date.now() + LEASE_PERIODS * refreshMs, 'the run is not shown in Alertmanager');
  const timer = setInterval(() => {
    pending = pending.then(() => send(Date.now() + LEASE_PERIODS * refreshMs, 'renewing the alert'));
  }, refreshMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await pending;
      warned = false;
      await send(Date.now(), 'the alert could not be resolved (it lapses by itself)');
    },
  };
}

/** Links a starting run to its alert (in its journal) when the runner has an Alertmanager. */
export function linkRun(journal: Journal, experiment: Experiment, deps: RunnerDeps): void {
  const { alertmanager, region = 'local', operator } = deps;
  if (alertmanager)
    journal.alert = activeAlertLink(alertmanager, { experiment, region, operator, runId: journal.runId });
}

/** The fleet halt a run follows: with `chaos.alertmanager`, its alert's labels there. */
export function fleetWatchOf(journal: Journal, deps: RunnerDeps): { fleet?: FleetWatch } {
  if (!journal.alert) return {};
  const { alertmanager, labels } = journal.alert;
  return { fleet: { alertmanager, labels, onUnreachable: deps.onUnreachable ?? 'continue', logger: deps.logger } };
}
