/**
 * A run's bookkeeping beside its steps: what can stop it from outside its method, the
 * journal it starts with, its step records, and the status it ends with. Kept apart from
 * the runner so its steps read on their own.
 */
import type { EventBus } from '../results/bus.js';
import type { ResultWindows } from '../results/window.js';
import { abortTripped } from './hypothesis.js';
import { watchHalt } from './state/halt.js';
import { watchFleetHalt, type FleetWatch } from './fleet/halt.js';
import { processIdentity } from './state/process.js';
import { errorMessage } from '../errors.js';
import { planRollback } from './plan.js';
import type { Experiment, Tolerance } from './model/experiment.js';
import type { HypothesisReport, Journal, RunStatus, StepRecord } from './model/journal.js';

/** Why the method stopped early. */
export interface StopReason {
  status: Extract<RunStatus, 'aborted' | 'interrupted' | 'failed'>;
  reason: string;
  /** Whether the steady state is judged again after the rollback. */
  verifyAfter: boolean;
}

/** Waits `ms`, or less when `signal` aborts (a stop during a `pause` step). */
export function waitUnlessStopped(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Halt, SIGTERM (the caller's signal) and maxDuration all stop the method; each says why. Returns the cleanups. */
export function watchStops(o: {
  stateDir: string;
  maxDurationMs: number;
  signal?: AbortSignal;
  fleet?: FleetWatch;
  stop: (reason: StopReason) => void;
}): (() => void)[] {
  const fleet = o.fleet
    ? watchFleetHalt(o.fleet, (reason) => o.stop({ status: 'aborted', reason, verifyAfter: false }))
    : () => undefined;
  const halt = watchHalt(o.stateDir, (record) =>
    o.stop({
      status: 'aborted',
      reason: `halted by ${record.operator}${record.reason ? `: ${record.reason}` : ''}`,
      verifyAfter: false,
    }),
  );
  const timer = setTimeout(
    () =>
      o.stop({
        status: 'aborted',
        reason: `maxDuration (${o.maxDurationMs} ms) reached: rollback forced`,
        verifyAfter: true,
      }),
    o.maxDurationMs,
  );
  const external = o.signal;
  const onSignal = () => o.stop({ status: 'interrupted', reason: 'interrupted by a signal', verifyAfter: false });
  if (external?.aborted) onSignal();
  external?.addEventListener('abort', onSignal, { once: true });
  return [() => halt.close(), fleet, () => clearTimeout(timer), () => external?.removeEventListener('abort', onSignal)];
}

/**
 * `abortWhen`, judged on every result of the checks it names, so a trip stops the method
 * within one check interval. Returns the unsubscribe.
 */
export function watchAbortWhen(o: {
  bus: EventBus;
  windows: ResultWindows;
  tolerances: readonly Tolerance[];
  stopped: () => boolean;
  tripped: (report: HypothesisReport) => void;
}): () => void {
  if (o.tolerances.length === 0) return () => undefined;
  const names = new Set(o.tolerances.map((t) => t.check));
  return o.bus.on('result', (result) => {
    if (!names.has(result.check) || o.stopped()) return;
    const report = abortTripped(o.tolerances, o.windows);
    if (report) o.tripped(report);
  });
}

/** The journal of a run that is starting. */
export function newJournal(o: {
  runId: string;
  experiment: string;
  file: string;
  operator: string;
  approvedBy?: string;
}): Journal {
  return {
    version: 1,
    runId: o.runId,
    experiment: o.experiment,
    file: o.file,
    ...processIdentity(),
    operator: o.operator,
    ...(o.approvedBy ? { approvedBy: o.approvedBy } : {}),
    startedAt: new Date().toISOString(),
    status: 'running',
    deviated: false,
    steadyState: {},
    steps: [],
    rollbacks: [],
    faults: [],
    rollbackPlan: [],
  };
}

/**
 * The journal of a run that is starting, with the experiment's rollback calls planned, or
 * with `rollbackError` saying why they cannot be (then the run must not start its method).
 */
export async function plannedJournal(
  exp: Experiment,
  o: { runId: string; operator: string; approvedBy?: string | undefined },
  random: () => number,
): Promise<{ journal: Journal; rollbackError?: string }> {
  const journal = newJournal({
    runId: o.runId,
    experiment: exp.name,
    file: exp.file,
    operator: o.operator,
    ...(o.approvedBy ? { approvedBy: o.approvedBy } : {}),
  });
  try {
    journal.rollbackPlan = await planRollback(exp, random);
    return { journal };
  } catch (error) {
    return { journal, rollbackError: errorMessage(error) };
  }
}

/** The detail of the `run.start` audit line: who approved, and the alert that shows the run. */
export function startDetail(journal: Journal): string | undefined {
  const parts = [
    ...(journal.approvedBy ? [`approved by ${journal.approvedBy}`] : []),
    ...(journal.alert ? [`alert ${journal.alert.labels.alertname} at ${journal.alert.alertmanager}`] : []),
  ];
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/** The record of a step (of the method or the rollback) that starts now. */
export function startStepRecord(id: string, action: string): StepRecord {
  return { id, action, startedAt: new Date().toISOString(), status: 'running', faults: [] };
}

/** Ends a step record: `ok`, or `failed` with `error`. */
export function endStepRecord(record: StepRecord, error: string | undefined): void {
  record.endedAt = new Date().toISOString();
  record.status = error === undefined ? 'ok' : 'failed';
  if (error !== undefined) record.error = error;
}

/**
 * How a run ended: the first stop reason when the method stopped early, else `deviated`
 * when the steady state did not return, else `completed`.
 */
export function runEnding(stop: StopReason | undefined, deviated: boolean): { status: RunStatus; reason?: string } {
  if (stop) return { status: stop.status, reason: stop.reason };
  if (deviated) return { status: 'deviated', reason: 'the steady state did not return after the rollback' };
  return { status: 'completed' };
}

/** How a run ended, in one line: its status and why. */
export function outcomeOf(j: Journal): string {
  return `${j.status}${j.reason ? `: ${j.reason}` : ''}`;
}

/** Why a tripped abort condition stops the run: the entries that were met. */
export function abortReason(report: HypothesisReport): string {
  const met = report.entries.filter((e) => e.holds).map((e) => e.check);
  if (met.length > 0) return `abortWhen met for ${met.join(', ')}`;
  // A PromQL entry that cannot be asked trips the abort too: the fault must not go on blind.
  const blind = report.entries.filter((e) => e.blind).map((e) => `${e.check} (${e.failed.join('; ')})`);
  return `abortWhen cannot be judged: ${blind.join(', ')}`;
}
