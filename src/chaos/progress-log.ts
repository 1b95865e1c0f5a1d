/**
 * The agent's log of a scheduled chaos run: one line per step, fault, wave, gate, verdict
 * and rollback call, worded as `canary chaos run` prints them; failures at warn.
 */
import type { Logger } from '../log.js';
import type { ChaosProgress, ProgressListener } from './progress.js';
import { describeProgress } from './progress-text.js';

/** Whether an event tells of something that went wrong. */
function failed(e: ChaosProgress): boolean {
  switch (e.type) {
    case 'step.end':
      return e.status !== 'ok';
    case 'fault.applied':
    case 'fault.reverted':
    case 'rollback.call':
    case 'rollback.end':
      return !e.ok;
    case 'wave.end':
      return e.gate === false;
    case 'hypothesis':
      return e.phase === 'abort' || !e.report.holds;
    default:
      return false;
  }
}

/** The fields of a line: the event's own, without the hypothesis report (the journal keeps it). */
function fields(e: ChaosProgress): object {
  if (e.type === 'hypothesis') return { event: e.type, phase: e.phase, holds: e.report.holds };
  const { type, ...rest } = e;
  return { event: type, ...rest };
}

/** A listener that logs each event of `experiment`'s run. */
export function logProgress(logger: Logger, experiment: string): ProgressListener {
  return (e) => logger[failed(e) ? 'warn' : 'info']({ experiment, ...fields(e) }, `chaos: ${describeProgress(e)}`);
}

/** Both listeners, either absent. */
export function bothListeners(a: ProgressListener | undefined, b: ProgressListener): ProgressListener {
  return a ? (e) => (a(e), b(e)) : b;
}
