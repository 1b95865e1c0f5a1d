/** When each check runs. See {@link Scheduler}. */
export { Scheduler } from './scheduler.js';
export type { RunContext, RunDeadline, RunFn, SchedulerOptions, StopOptions, UpdateSummary } from './types.js';
export { MAX_START_SPREAD_MS } from './timing.js';
