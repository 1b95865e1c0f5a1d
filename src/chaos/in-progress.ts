/**
 * Which chaos run is in progress, read from the agent's events: what a stop of the agent
 * waits for, since a run interrupted by a stop still rolls back, and may take the whole
 * rollback budget doing so.
 */
import type { EventBus } from '../results/bus.js';
import { ROLLBACK_BUDGET_MS } from './faults.js';

/** A run in progress, and how long its rollback may take. */
export interface RunInProgress {
  experiment: string;
  rollbackBudgetMs: number;
  /** False once the run has ended (rolled back, journal closed). */
  active: () => boolean;
}

/** Follows `chaos.run.start` and `chaos.run.end`; the returned function names the run in progress, if any. */
export function followChaosRuns(bus: EventBus): () => RunInProgress | undefined {
  let running: string | undefined;
  bus.on('chaos.run.start', ({ experiment }) => (running = experiment));
  bus.on('chaos.run.end', () => (running = undefined));
  return () => {
    const experiment = running;
    if (experiment === undefined) return undefined;
    return { experiment, rollbackBudgetMs: ROLLBACK_BUDGET_MS, active: () => running === experiment };
  };
}
