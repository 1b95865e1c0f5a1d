/**
 * A chaos run's progress events in words: the lines `canary chaos run` prints and the
 * messages the agent logs for its scheduled runs, so both say the same thing.
 */
import type { HypothesisReport } from './model/journal.js';
import type { ChaosProgress } from './progress.js';
import { entryFigures } from './summary.js';

function where(step: string, instance: string | undefined): string {
  return instance === undefined ? step : `${step} on ${instance}`;
}

function failure(error: string | undefined): string {
  return error === undefined ? '' : ` (${error})`;
}

export function verdict(report: HypothesisReport): string {
  return report.entries.map(entryFigures).join('; ');
}

/** One progress event in words, without its time stamp. */
export function describeProgress(e: ChaosProgress): string {
  switch (e.type) {
    case 'step.start':
      return `step ${e.step} (${e.action}) started`;
    case 'step.end':
      return `step ${e.step} ${e.status === 'ok' ? 'ok' : `${e.status.toUpperCase()}${failure(e.error)}`}`;
    case 'fault.applied':
      return e.ok
        ? `fault applied: ${where(e.step, e.instance)}`
        : `fault NOT applied: ${where(e.step, e.instance)}${failure(e.error)}`;
    case 'fault.reverted':
      return e.ok
        ? `fault reverted: ${where(e.step, e.instance)}`
        : `revert FAILED: ${where(e.step, e.instance)}${failure(e.error)}`;
    case 'wave.start':
      return `wave ${e.wave}/${e.waves} of ${e.step} started: ${e.instances.join(', ')}`;
    case 'wave.end':
      return `wave ${e.wave} of ${e.step}: gate ${e.gate === undefined ? 'not judged' : e.gate ? 'passed' : 'FAILED'}`;
    case 'hypothesis':
      return hypothesisLine(e.phase, e.report);
    case 'rollback.start':
      return 'rollback started';
    case 'rollback.call':
      return `rollback call ${e.step} ${e.ok ? 'ok' : `FAILED${failure(e.error)}`}`;
    case 'rollback.end':
      return e.ok ? 'rollback done' : 'rollback FAILED: check the journal and the audit log';
  }
}

function hypothesisLine(phase: 'before' | 'abort' | 'after', report: HypothesisReport): string {
  if (phase === 'abort') return `abort condition met: ${verdict(report)}`;
  const label = phase === 'before' ? 'steady state before' : 'steady state after rollback';
  return `${label}: ${report.holds ? 'held' : 'did NOT hold'}${report.entries.length ? ` — ${verdict(report)}` : ''}`;
}
