/**
 * When runs are due: spread start offsets (seeded) and cron expressions, under node:test
 * mock timers. Mocked time moves in steps with microtask flushes between them.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Scheduler, type RunFn } from '../../src/scheduler/index.js';
import { EventBus } from '../../src/results/bus.js';
import { RUN_DEADLINE } from '../../src/run/budget.js';
import { isCanaryError } from '../../src/errors.js';
import type { ResolvedCheck, Schedule } from '../../src/config/types.js';
import { makeHttpCheck } from '../helpers/checks.js';
import { advance, T0, useClock } from '../helpers/clock.js';

function check(name: string, schedule: Schedule): ResolvedCheck {
  return { ...makeHttpCheck({ name, target: 'http://127.0.0.1:9/' }), schedule };
}

function every(everyMs: number): Schedule {
  return { kind: 'interval', everyMs };
}

/** Runs `checks` for `ms` of mocked time and returns every run's due time, by check. */
async function dueTimes(t: TestContext, checks: ResolvedCheck[], ms: number, step: number, seed?: number) {
  const due = new Map<string, number[]>();
  const run: RunFn = (c, ctx) => {
    due.set(c.name, [...(due.get(c.name) ?? []), ctx.scheduledAt]);
    return Promise.resolve();
  };
  const scheduler = new Scheduler(checks, {
    concurrency: 10_000,
    seed,
    bus: new EventBus(),
    deadline: RUN_DEADLINE,
    run,
  });
  try {
    scheduler.start();
    await advance(t, ms, step);
  } finally {
    await scheduler.stop();
  }
  return due;
}

/** Each check's first run, as an offset from T0. */
async function firstOffsets(t: TestContext, checks: ResolvedCheck[], windowMs: number, seed?: number) {
  const due = await dueTimes(t, checks, windowMs - 1, windowMs - 1, seed);
  return new Map([...due].map(([name, times]) => [name, (times[0] as number) - T0]));
}

const minuteChecks = Array.from({ length: 1_000 }, (_, i) => check(`check-${i}`, every(60_000)));

test('first runs of 1,000 checks spread over the whole interval, the same for the same seed', async (t) => {
  useClock(t);
  const offsets = await firstOffsets(t, minuteChecks, 60_000, 42);
  assert.equal(offsets.size, 1_000, 'every check ran once within the interval');
  const buckets = new Array<number>(10).fill(0);
  for (const offset of offsets.values()) {
    assert.ok(Number.isInteger(offset) && offset >= 0 && offset < 60_000, `offset ${offset}`);
    buckets[Math.floor(offset / 6_000)]! += 1;
  }
  // 100 per 6 s bucket if even; a clump would leave some bucket far below.
  assert.ok(Math.min(...buckets) >= 50, `buckets ${buckets.join(', ')}`);

  t.mock.timers.reset();
  useClock(t);
  assert.deepEqual(await firstOffsets(t, minuteChecks, 60_000, 42), offsets, 'same seed, same offsets');

  t.mock.timers.reset();
  useClock(t);
  const other = await firstOffsets(t, minuteChecks, 60_000, 43);
  const same = [...other].filter(([name, offset]) => offsets.get(name) === offset).length;
  assert.ok(same < 100, `${same} of 1000 offsets equal under another seed`);
});

test('without a seed, two schedulers spread the same checks differently', async (t) => {
  useClock(t);
  const checks = minuteChecks.slice(0, 100);
  const a = await firstOffsets(t, checks, 60_000);
  t.mock.timers.reset();
  useClock(t);
  const b = await firstOffsets(t, checks, 60_000);
  assert.equal(a.size, 100);
  assert.notDeepEqual(a, b);
});

test('checks with a 10 minute interval start within the first 2 minutes, spread across them', async (t) => {
  useClock(t);
  const checks = Array.from({ length: 300 }, (_, i) => check(`slow-${i}`, every(600_000)));
  const offsets = await firstOffsets(t, checks, 600_000, 9);
  assert.equal(offsets.size, 300);
  const values = [...offsets.values()];
  assert.ok(
    values.every((v) => v >= 0 && v < 120_000),
    `max offset ${Math.max(...values)}`,
  );
  assert.ok(values.filter((v) => v < 60_000).length >= 100, 'first half of the window used');
  assert.ok(values.filter((v) => v >= 60_000).length >= 100, 'second half of the window used');
});

test('a six-field cron expression fires every 5 seconds on the 5-second marks', async (t) => {
  useClock(t, T0 + 2_000);
  const due = await dueTimes(t, [check('cron5s', { kind: 'cron', expression: '*/5 * * * * *' })], 60_000, 500);
  const times = due.get('cron5s') ?? [];
  assert.equal(times.length, 12);
  assert.equal(times[0], T0 + 5_000);
  for (const [i, at] of times.entries()) assert.equal(at, T0 + 5_000 * (i + 1));
});

test('a five-field cron expression fires once a minute at second 0', async (t) => {
  useClock(t, T0 + 30_000);
  const due = await dueTimes(t, [check('cron1m', { kind: 'cron', expression: '* * * * *' })], 300_000, 1_000);
  const times = due.get('cron1m') ?? [];
  assert.deepEqual(
    times,
    [1, 2, 3, 4, 5].map((m) => T0 + m * 60_000),
  );
});

test('a cron check due months ahead waits past the setTimeout ceiling and fires on time', async (t) => {
  useClock(t);
  const yearly = check('yearly', { kind: 'cron', expression: '0 0 1 7 *' }); // July 1st, local time
  const day = 86_400_000;
  const due = await dueTimes(t, [yearly], 200 * day, day);
  const times = due.get('yearly') ?? [];
  assert.equal(times.length, 1, `fired ${times.length} times`);
  const at = new Date(times[0] as number);
  assert.deepEqual([at.getFullYear(), at.getMonth(), at.getDate(), at.getHours(), at.getMinutes()], [2024, 6, 1, 0, 0]);
});

test('an invalid cron expression is a config error naming it', () => {
  const bad = check('bad', { kind: 'cron', expression: '61 * * * *' });
  const run: RunFn = () => Promise.resolve();
  assert.throws(
    () => new Scheduler([bad], { concurrency: 1, bus: new EventBus(), deadline: RUN_DEADLINE, run }),
    (error: unknown) => isCanaryError(error, 'CANARY_ERR_CONFIG') && error.message.includes('"61 * * * *"'),
  );
});
