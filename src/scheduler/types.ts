import type { ResolvedCheck } from '../config/types.js';
import type { EventBus } from '../results/bus.js';

/** What one run of a check is handed besides the check itself. */
export interface RunContext {
  /**
   * Aborted at `deadline` (reason: a `TimeoutError` DOMException) or when the agent stops
   * past its grace period (reason: an `AbortError` DOMException).
   */
  signal: AbortSignal;
  /** When the run was due, epoch ms. */
  scheduledAt: number;
  /** When it actually started, after the concurrency gate, epoch ms. */
  startedAt: number;
  /** When the run must be over, epoch ms: `startedAt` plus the budget {@link RunDeadline} gives it. */
  deadline: number;
}

/**
 * One run of a check: its attempts, assertions, publish. Expected to report failures as values
 * and honour `ctx.signal`; if it throws anyway, the scheduler reports it and carries on.
 */
export type RunFn = (check: ResolvedCheck, ctx: RunContext) => Promise<void>;

/**
 * How long a run of a check may take and what it is aborted with then. The scheduler
 * enforces it without knowing why it is right: the agent hands it run/budget.ts's
 * `RUN_DEADLINE` (every attempt's timeout and backoff, within the interval).
 */
export interface RunDeadline {
  /** The run's budget, ms from when it passes the concurrency gate. */
  budgetMs(check: ResolvedCheck): number;
  /** The abort reason when the budget is spent; made only then. */
  reason(check: ResolvedCheck, budgetMs: number): unknown;
}

/** How a scheduler is built. */
export interface SchedulerOptions {
  /** Runs in flight at once across all checks (`probes.concurrency`). */
  concurrency: number;
  /** Seeds the start offsets; fixed only for tests and reproducible benchmarks. A random seed otherwise. */
  seed?: number;
  /** Receives `scheduler.lag`, `scheduler.skipped` and, for a run that threw, `bus.error`. */
  bus: EventBus;
  /** Each run's deadline. */
  deadline: RunDeadline;
  /** What a run does. */
  run: RunFn;
}

/** Options of {@link Scheduler.stop}. */
export interface StopOptions {
  /**
   * How long to wait for in-flight runs before aborting them. Without it, stop waits for
   * every run to end on its own, which each does by its deadline (see {@link RunContext.deadline}).
   */
  graceMs?: number;
}

/** What {@link Scheduler.update} changed, by check name. */
export interface UpdateSummary {
  /** New checks, scheduled from now with their spread offset. */
  added: string[];
  /** Checks gone from the list; their in-flight runs finish, no new ones start. */
  removed: string[];
  /** Checks whose definition changed: rescheduled from now as if new. */
  changed: string[];
  /** Checks whose definition is unchanged (apart from `source`): left on their schedule. */
  unchanged: string[];
}
