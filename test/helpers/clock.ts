/**
 * Mocked time for scheduler tests (node:test `mock.timers`). Time moves in steps with
 * microtask flushes between them, because the mock sets `Date.now()` to the end of a tick
 * before firing and p-limit starts runs from microtasks: one big tick would start every
 * queued run at the same instant.
 */
import type { TestContext } from 'node:test';
import type { Scheduler } from '../../src/scheduler/index.js';

/** Where mocked time starts unless a test says otherwise: 2024-01-01T00:00:00Z. */
export const T0 = Date.UTC(2024, 0, 1);

/** Mocks setTimeout, setInterval and Date from `now`; node:test restores them after the test. */
export function useClock(t: TestContext, now = T0): void {
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now });
}

/** Lets queued promise callbacks run (a fixed number of turns, enough for a run to start). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

/** Moves mocked time forward by `ms`, `step` at a time, letting queued runs start in between. */
export async function advance(t: TestContext, ms: number, step: number): Promise<void> {
  for (let done = 0; done < ms; done += step) {
    t.mock.timers.tick(Math.min(step, ms - done));
    await flush();
  }
}

/**
 * Stops, aborting whatever still runs. The grace timer is mocked too, so it is ticked here;
 * a plain stop() would wait on run timers that nothing ticks any more.
 */
export async function stopNow(t: TestContext, scheduler: Scheduler): Promise<void> {
  const stopped = scheduler.stop({ graceMs: 0 });
  t.mock.timers.tick(1);
  await stopped;
}
