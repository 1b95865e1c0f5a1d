/**
 * A run's bookkeeping beside its steps: what can stop it from outside its method, the
 * journal it starts with, its step records, and the status it ends with. Kept apart from
 * the runner so its steps read on their own.
 */
import { hostname } from 'node:os';
import type { EventBus } from '../results/bus.js';
import type { ResultWindows } from '../results/window.js';
import { abortTripped } from './hypothesis.js';
import { watchHalt } from './state/halt.js';
import type { Tolerance } from './model/experiment.js';
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
  stop: (reason: StopReason) => void;
}): (() => void)[] {
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
  return [() => halt.close(), () => clearTimeout(timer), () => external?.removeEventListener('abort', onSignal)];
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
    host: hostname(),
    pid: process.pid,
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
