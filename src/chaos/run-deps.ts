/** What one experiment run needs from its surroundings: the agent's, or a standalone runner's. */
import type { Logger } from '../log.js';
import type { EventBus } from '../results/bus.js';
import type { ResultWindows } from '../results/window.js';
import type { ChaosTracer } from './tracing.js';

/** What a run needs from its surroundings. */
export interface RunnerDeps {
  stateDir: string;
  /** Live results of the hypothesis checks (the agent's windows, or a runner's own). */
  windows: ResultWindows;
  bus: EventBus;
  logger: Logger;
  operator: string;
  approvedBy?: string;
  /** SIGINT/SIGTERM from the caller: roll back, end as `interrupted`. */
  signal?: AbortSignal;
  /** Longest wait for enough results to judge the steady state before the method. */
  warmupTimeoutMs: number;
  random?: () => number;
  /** Tracing, when on: a span per run and per call. */
  tracer?: ChaosTracer;
}
