/** What the status API reads: the running config and checks, the windows, the last results, the SLO tally. */
import type { Experiment } from '../../chaos/model/experiment.js';
import type { Config, ResolvedCheck } from '../../config/types.js';
import type { ResultWindows } from '../../results/window.js';
import type { SloTally } from '../../slo/tally.js';
import type { LastResults } from './last-results.js';
import type { LiveRun } from './live-run.js';

export interface StatusSources {
  /** The running config (after the last reload). */
  config: () => Config;
  /** Configured and discovered checks, disabled ones included. */
  checks: () => readonly ResolvedCheck[];
  windows: ResultWindows;
  last: LastResults;
  slo: SloTally;
  /** The wave in progress of this agent's own chaos run. */
  live: LiveRun;
  /** The experiment this agent schedules under `name`, to judge its run's hypothesis now. */
  experiment: (name: string) => Experiment | undefined;
  /** Whether this agent was started with `--enable-chaos`. */
  chaosEnabled: boolean;
}

/** The window a summary's figures cover, ms. */
export const SUMMARY_WINDOW_MS = 300_000;
/** Runs a summary lists in `recent`, and a detail in `runs`. */
export const RECENT_RUNS = 30;
export const DETAIL_RUNS = 100;
