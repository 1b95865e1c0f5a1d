/**
 * The fleet-wide halt: an active `CanaryChaosHalt` alert in the fleet's Alertmanager stops
 * every matching run (it rolls back) and refuses new ones, as the HALT file does on one
 * host. Its labels narrow it (experiment, region, target); none halts everything.
 */
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Experiment } from '../model/experiment.js';
import { activeAlerts, HALT_ALERT, HALT_MATCH_LABELS, postAlerts, type Alert } from './alertmanager.js';

/** How often a running experiment asks Alertmanager. */
export const FLEET_HALT_POLL_MS = 1_000;
/** A halt lasts until resumed; Alertmanager needs an end, so a far one. */
const HALT_LEASE_MS = 365 * 24 * 3600 * 1000;

/** What to do when Alertmanager cannot be asked: `halt` (refuse or stop) or `continue`. */
export type UnreachablePolicy = 'halt' | 'continue';

/** What a runner needs to follow the fleet halt. */
export interface FleetWatch {
  alertmanager: string;
  /** The run's experiment, region and target (comma-separated target names). */
  labels: Record<string, string>;
  /** Alertmanager unreachable during a run (default continue). */
  onUnreachable: UnreachablePolicy;
  logger: Logger;
}

/** Whether a halt alert covers a run: every match label it carries agrees with the run's. */
export function haltCovers(halt: Alert, run: Record<string, string>): boolean {
  return HALT_MATCH_LABELS.every((key) => {
    const want = halt.labels[key];
    if (want === undefined) return true;
    if (key === 'target') return (run.target ?? '').split(',').includes(want);
    return run[key] === want;
  });
}

/** Words for a halt alert, for journals and logs. */
export function describeHalt(halt: Alert): string {
  const by = halt.annotations?.operator ?? 'unknown';
  const reason = halt.annotations?.reason;
  const scope = HALT_MATCH_LABELS.filter((k) => halt.labels[k] !== undefined)
    .map((k) => `${k}=${halt.labels[k]}`)
    .join(',');
  return `halted fleet-wide by ${by}${scope ? ` (${scope})` : ''}${reason ? `: ${reason}` : ''}`;
}

/** The active halt covering `run`, undefined when none; rejects when Alertmanager cannot be asked. */
export async function fleetHaltFor(alertmanager: string, run: Record<string, string>): Promise<Alert | undefined> {
  return (await activeAlerts(alertmanager, HALT_ALERT)).find((a) => haltCovers(a, run));
}

/** The labels a halt is matched against, for `experiment` in `region`. */
export function runLabels(experiment: Experiment, region: string): Record<string, string> {
  return { experiment: experiment.name, region, target: Object.keys(experiment.targets).sort().join(',') };
}

/** Why a new run may not start (a covering halt, or no answer under `halt`), or undefined. */
export async function fleetHaltReason(
  alertmanager: string,
  run: Record<string, string>,
  onUnreachable: UnreachablePolicy,
): Promise<string | undefined> {
  try {
    const halt = await fleetHaltFor(alertmanager, run);
    return halt ? `chaos is ${describeHalt(halt)}` : undefined;
  } catch (error) {
    if (onUnreachable === 'continue') return undefined;
    return `the fleet halt cannot be checked (onUnreachable.start: halt): ${errorMessage(error)}`;
  }
}

/** Posts the halt alert with `match` as its labels. */
export async function postFleetHalt(
  alertmanager: string,
  o: { match: Record<string, string>; operator: string; reason: string },
): Promise<Alert> {
  const alert: Alert = {
    labels: { alertname: HALT_ALERT, ...o.match },
    annotations: { operator: o.operator, reason: o.reason, summary: 'chaos experiments are halted' },
    startsAt: new Date().toISOString(),
    endsAt: new Date(Date.now() + HALT_LEASE_MS).toISOString(),
  };
  await postAlerts(alertmanager, [alert]);
  return alert;
}

/** Resolves the active halts whose labels include `match` (all of them when empty); returns them. */
export async function resolveFleetHalts(alertmanager: string, match: Record<string, string>): Promise<Alert[]> {
  const halts = (await activeAlerts(alertmanager, HALT_ALERT)).filter((a) =>
    Object.entries(match).every(([k, v]) => a.labels[k] === v),
  );
  const now = new Date().toISOString();
  if (halts.length > 0)
    await postAlerts(
      alertmanager,
      halts.map((a) => ({ ...a, endsAt: now })),
    );
  return halts;
}

/**
 * Asks Alertmanager every second; calls `onHalt` once, with why, when a covering halt is
 * active (or, under `onUnreachable: halt`, when it cannot be asked). Returns the cleanup.
 */
export function watchFleetHalt(w: FleetWatch, onHalt: (reason: string) => void): () => void {
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let unreachable = false;
  const poll = async (): Promise<void> => {
    let reason: string | undefined;
    try {
      const halt = await fleetHaltFor(w.alertmanager, w.labels);
      if (halt) reason = describeHalt(halt);
      unreachable = false;
    } catch (error) {
      if (w.onUnreachable === 'halt')
        reason = `the fleet halt cannot be checked (onUnreachable.running: halt): ${errorMessage(error)}`;
      else if (!unreachable)
        w.logger.warn({ alertmanager: w.alertmanager }, `fleet halt not checked, run goes on: ${errorMessage(error)}`);
      unreachable = true;
    }
    if (closed) return;
    if (reason !== undefined) {
      closed = true;
      return onHalt(reason);
    }
    timer = setTimeout(() => void poll(), FLEET_HALT_POLL_MS);
    timer.unref();
  };
  void poll();
  return () => {
    closed = true;
    if (timer !== undefined) clearTimeout(timer);
  };
}
