/**
 * The chaos run in progress on this host, from its journal, which the runner saves after
 * every step: the same answer whether the run is the agent's own or a standalone
 * `canary chaos run` in another process.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import type { Journal } from '../../chaos/model/journal.js';
import { runnerGone } from '../../chaos/state/process.js';
import type { PendingWave } from './live-run.js';
import type { hypothesisFigures } from './waves.js';
import { latestHypothesis, pendingWaveOf, wavesOf } from './waves.js';

/** A method step as written: `{ action: kill, target: backends }` or `{ pause: 20s }`. */
interface MethodStep {
  action?: unknown;
  target?: unknown;
  pause?: unknown;
}

/** The experiment's method steps as written; empty when its file cannot be read now. */
async function methodSteps(file: string): Promise<MethodStep[]> {
  try {
    const doc = parse(await readFile(file, 'utf8')) as { method?: unknown } | null;
    return Array.isArray(doc?.method) ? (doc.method as MethodStep[]) : [];
  } catch {
    // The run goes on from what it loaded at start; the status shows what it can.
    return [];
  }
}

function stepLabel(step: MethodStep | undefined, action: string): string {
  const detail = step?.pause ?? step?.target;
  return typeof detail === 'string' || typeof detail === 'number' ? `${action} ${detail}` : action;
}

/** The step the run is at: the last one it started, `index` from its id (`method[1]`). */
async function currentStep(journal: Journal) {
  const record = journal.steps.at(-1);
  if (record === undefined) return null;
  const steps = await methodSteps(journal.file);
  const index = Number(/\[(\d+)\]$/.exec(record.id)?.[1] ?? NaN);
  const known = Number.isInteger(index);
  return {
    id: record.id,
    index: known ? index : null,
    of: steps.length > 0 ? steps.length : null,
    label: stepLabel(known ? steps[index] : undefined, record.action),
    status: record.status,
  };
}

/** A journal still `running` whose runner is alive; undefined when none is. */
export function activeJournal(journals: readonly Journal[]): Journal | undefined {
  return journals.find((j) => j.status === 'running' && !runnerGone(j));
}

/**
 * The ActiveRun of the status API. When this agent runs it: `pending` is the wave in
 * progress, and `live` its steady state judged now on the agent's windows (the journal
 * holds only the verdicts before the method, at an abort and after).
 */
export async function activeRun(
  journal: Journal,
  pending: PendingWave | undefined,
  live?: ReturnType<typeof hypothesisFigures>,
) {
  const waves = wavesOf(journal);
  if (pending) waves.push(pendingWaveOf(pending, waves.length));
  return {
    runId: journal.runId,
    experiment: journal.experiment,
    startedAt: journal.startedAt,
    operator: journal.operator,
    step: await currentStep(journal),
    waves,
    hypothesis: live ?? latestHypothesis(journal),
  };
}
