/** `GET /api/v1/chaos/runs` and `GET /api/v1/chaos/runs/ID`, read from the chaos state directory. */
import { steadyState } from '../../chaos/hypothesis.js';
import type { Journal } from '../../chaos/model/journal.js';
import { haltStatus } from '../../chaos/state/halt.js';
import { RUN_ID_PATTERN } from '../../chaos/state/journal-shape.js';
import { JournalStore } from '../../chaos/state/journal.js';
import { activeJournal, activeRun } from './active-run.js';
import type { StatusSources } from './sources.js';
import { hypothesisFigures, wavesOf } from './waves.js';

/** Runs listed, newest first. */
const LISTED_RUNS = 50;

function runLine(j: Journal) {
  return {
    runId: j.runId,
    experiment: j.experiment,
    status: j.status,
    startedAt: j.startedAt,
    endedAt: j.endedAt ?? null,
    reason: j.reason ?? null,
    deviated: j.deviated,
  };
}

/** The steady state of this agent's own run `journal`, judged now on its windows; undefined for another's. */
function liveHypothesis(journal: Journal, sources: ChaosSources) {
  if (!sources.live.isOwn(journal.runId)) return undefined;
  const experiment = sources.experiment(journal.experiment);
  if (!experiment || experiment.steadyState.length === 0) return undefined;
  return hypothesisFigures(steadyState(experiment.steadyState, sources.windows), true);
}

type ChaosSources = Pick<StatusSources, 'live' | 'experiment' | 'windows'>;

/** Halt, run in progress and recent runs of the state directory. */
export async function chaosRuns(stateDir: string, enabled: boolean, sources: ChaosSources) {
  const [halt, journals] = await Promise.all([haltStatus(stateDir), new JournalStore(stateDir).list()]);
  const active = activeJournal(journals);
  const live = sources.live;
  return {
    enabled,
    halted: halt ? { operator: halt.operator, at: halt.at, reason: halt.reason } : null,
    active: active ? await activeRun(active, live.pendingWave(active.runId), liveHypothesis(active, sources)) : null,
    runs: journals.slice(0, LISTED_RUNS).map(runLine),
  };
}

/** What asking for one run found. */
export type RunLookup =
  { found: Omit<Journal, 'waves'> & { waves: ReturnType<typeof wavesOf> } } | { invalid: string } | { missing: string };

/** One run's journal as stored, with its waves as the status API shows them. */
export async function chaosRun(stateDir: string, runId: string): Promise<RunLookup> {
  if (!RUN_ID_PATTERN.test(runId)) return { invalid: `invalid run id ${JSON.stringify(runId)}` };
  try {
    const journal = await new JournalStore(stateDir).load(runId);
    return { found: { ...journal, waves: wavesOf(journal) } };
  } catch {
    // Missing and unreadable are the same to a reader: there is no run to show.
    return { missing: `no chaos run ${JSON.stringify(runId)}` };
  }
}
