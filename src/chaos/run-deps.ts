/** What one experiment run needs from its surroundings: the agent's, or a standalone runner's. */
import type { Logger } from '../log.js';
import type { EventBus } from '../results/bus.js';
import type { ResultWindows } from '../results/window.js';
import type { ProgressListener } from './progress.js';
import type { ChaosTracer } from './tracing.js';
import type { UnreachablePolicy } from './fleet/halt.js';

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
  /** The fleet's Prometheus (base URL), which judges the PromQL entries of the hypothesis. */
  prometheus?: string;
  /** The fleet's Alertmanager (`chaos.alertmanager`): the run is shown there while it runs. */
  alertmanager?: string;
  /** The agent's region, a label of the fleet alerts. */
  region?: string;
  /** Alertmanager unreachable during the run: stop it (`halt`) or go on (`continue`, the default). */
  onUnreachable?: UnreachablePolicy;
  /** Tracing, when on: a span per run and per call. */
  tracer?: ChaosTracer;
  /** Told of each step, fault, wave, verdict and rollback as it happens (the CLI's progress lines). */
  progress?: ProgressListener;
}
