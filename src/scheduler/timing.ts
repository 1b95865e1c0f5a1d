import { createTask, type ScheduledTask } from 'node-cron';
import { CanaryError, ERROR_CODES } from '../errors.js';
import type { Schedule } from '../config/types.js';

/** The longest spread of first runs, whatever the interval: a restart is back to full coverage quickly. */
export const MAX_START_SPREAD_MS = 120_000;

/** When a check's runs are due. Times are epoch milliseconds (`Date.now()`). */
export interface Timing {
  /** The first run at or after `now`, when the scheduler starts or the check is added; `undefined` when there is none. */
  first(now: number): number | undefined;
  /**
   * The run after the one due at `scheduledAt`, never before `now` (missed slots are
   * dropped, not burst); `undefined` when there is none.
   */
  next(scheduledAt: number, now: number): number | undefined;
  /** Releases what the timing holds (node-cron's task registry entry). */
  dispose(): void;
}

/** Every `everyMs`, on a fixed grid from a spread start offset, so runs do not drift. */
class IntervalTiming implements Timing {
  readonly #everyMs: number;
  readonly #offsetMs: number;

  constructor(everyMs: number, fraction: number) {
    this.#everyMs = everyMs;
    this.#offsetMs = Math.floor(fraction * Math.min(everyMs, MAX_START_SPREAD_MS));
  }

  first(now: number): number {
    return now + this.#offsetMs;
  }

  next(scheduledAt: number, now: number): number {
    const next = scheduledAt + this.#everyMs;
    if (next >= now) return next;
    // The event loop stalled past whole intervals: stay on the grid, skip what was missed.
    return next + Math.ceil((now - next) / this.#everyMs) * this.#everyMs;
  }

  dispose(): void {}
}

/**
 * On a cron expression, using node-cron's own parser and matcher but our timer, so cron
 * checks share the interval checks' gate, overlap rule and lag accounting, and run under
 * `mock.timers`. The task is created and never started: it only answers "when next".
 */
class CronTiming implements Timing {
  readonly #task: ScheduledTask;

  constructor(expression: string) {
    try {
      this.#task = createTask(expression, () => undefined);
    } catch (error) {
      throw new CanaryError(ERROR_CODES.config, `invalid cron expression "${expression}"`, { cause: error });
    }
  }

  first(now: number): number | undefined {
    return this.next(now, now);
  }

  next(_scheduledAt: number, _now: number): number | undefined {
    // node-cron counts from its own `new Date()`, which is `now` here; the scheduler only
    // asks once `now` has reached the due time, so the answer is always a later slot.
    try {
      return this.#task.getNextRuns(1)[0]?.getTime();
    } catch {
      // node-cron gives up on expressions that match nothing in the next century.
      return undefined;
    }
  }

  dispose(): void {
    // Unregisters the task from node-cron's process-wide registry.
    void this.#task.destroy();
  }
}

/**
 * Builds the timing of one check. `fraction` in [0, 1) places the first interval run
 * within min(interval, 2 minutes); cron checks run exactly when their expression says.
 *
 * @throws CanaryError `CANARY_ERR_CONFIG` for an invalid cron expression.
 */
export function makeTiming(schedule: Schedule, fraction: number): Timing {
  return schedule.kind === 'interval'
    ? new IntervalTiming(schedule.everyMs, fraction)
    : new CronTiming(schedule.expression);
}
