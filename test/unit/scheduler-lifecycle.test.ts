/**
 * Scheduler lifecycle under node:test mock timers: stop() (no new runs, in-flight runs
 * awaited, aborted past the grace period, queued runs dropped) and update() (reload keeps
 * unchanged checks on their schedule).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scheduler, type RunFn } from '../../src/scheduler/index.js';
import { EventBus } from '../../src/results/bus.js';
import { RUN_DEADLINE } from '../../src/run/budget.js';
import { isCanaryError } from '../../src/errors.js';
import type { ResolvedCheck } from '../../src/config/types.js';
import { makeHttpCheck } from '../helpers/checks.js';
import { advance, stopNow, T0, useClock } from '../helpers/clock.js';

function check(name: string, everyMs: number, line = 1): ResolvedCheck {
  const c = makeHttpCheck({ name, target: 'http://127.0.0.1:9/' }, { everyMs, timeoutMs: 60_000 });
  return { ...c, source: { ...c.source, line } };
}

interface Call {
  check: string;
  scheduledAt: number;
  reason?: unknown;
  ended: boolean;
}

/** A run that holds `holdMs` of mocked time (0: not at all; Infinity: until aborted) and records calls. */
function recorder(holdMs: number) {
  const calls: Call[] = [];
  const run: RunFn = async (c, ctx) => {
    const call: Call = { check: c.name, scheduledAt: ctx.scheduledAt, ended: false };
    calls.push(call);
    if (holdMs > 0) await hold(holdMs, ctx.signal, call);
    call.ended = true;
  };
  const of = (name: string) => calls.filter((c) => c.check === name);
  return { calls, run, of };
}

function hold(holdMs: number, signal: AbortSignal, call: Call): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = Number.isFinite(holdMs) ? setTimeout(resolve, holdMs) : undefined;
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      call.reason = signal.reason;
      resolve();
    });
  });
}

/** Tracks whether a promise has settled, without awaiting it. */
function watch(promise: Promise<void>): { settled: boolean } {
  const state = { settled: false };
  void promise.then(() => (state.settled = true));
  return state;
}

test('stop() awaits in-flight runs, then nothing runs again', async (t) => {
  useClock(t);
  const { calls, run } = recorder(3_000);
  const scheduler = new Scheduler([check('a', 1_000), check('b', 1_000)], {
    concurrency: 4,
    seed: 1,
    bus: new EventBus(),
    deadline: RUN_DEADLINE,
    run,
  });
  scheduler.start();
  assert.equal(scheduler.started, true);
  await advance(t, 1_000, 100); // both first runs start within the first interval
  assert.equal(scheduler.inFlight, 2);
  const stopping = watch(scheduler.stop());
  assert.equal(scheduler.started, false);
  await advance(t, 2_000, 100);
  assert.equal(stopping.settled, false, 'still waiting for runs that hold 3 s');
  await advance(t, 1_000, 100);
  assert.equal(stopping.settled, true);
  assert.ok(
    calls.every((c) => c.ended && c.reason === undefined),
    'runs ended on their own, not aborted',
  );
  assert.equal(scheduler.inFlight, 0);
  const count = calls.length;
  await advance(t, 10_000, 500);
  assert.equal(calls.length, count, 'no run after stop');
  assert.throws(
    () => scheduler.start(),
    (e: unknown) => isCanaryError(e, 'CANARY_ERR_STATE'),
  );
});

test('past the grace period stop() aborts runs with AbortError and drops runs still queued', async (t) => {
  useClock(t);
  const { calls, run } = recorder(Infinity);
  const scheduler = new Scheduler([check('a', 1_000), check('b', 1_000)], {
    concurrency: 1,
    seed: 1,
    bus: new EventBus(),
    deadline: RUN_DEADLINE,
    run,
  });
  scheduler.start();
  await advance(t, 1_000, 100); // one run holds the only slot, the other waits at the gate
  assert.equal(calls.length, 1);
  const first = scheduler.stop({ graceMs: 5_000 });
  const stopping = watch(first);
  assert.equal(scheduler.stop(), first, 'stop() twice returns the same promise');
  await advance(t, 4_900, 100);
  assert.equal(stopping.settled, false, 'within grace');
  assert.ok(
    calls.every((c) => c.reason === undefined),
    'not aborted within grace',
  );
  await advance(t, 200, 100);
  assert.equal(stopping.settled, true);
  const reason = calls[0]?.reason;
  assert.ok(reason instanceof DOMException);
  assert.equal(reason.name, 'AbortError');
  assert.equal(reason.message, 'agent stopping');
  assert.equal(calls.length, 1, 'the queued run never started');
  assert.equal(scheduler.inFlight, 0);
});

test('stop() with nothing in flight resolves at once, even before start()', async () => {
  const scheduler = new Scheduler([check('a', 1_000)], {
    concurrency: 1,
    bus: new EventBus(),
    deadline: RUN_DEADLINE,
    run: () => Promise.resolve(),
  });
  assert.equal(scheduler.started, false);
  await scheduler.stop({ graceMs: 60_000 });
  assert.throws(
    () => scheduler.update([]),
    (e: unknown) => isCanaryError(e, 'CANARY_ERR_STATE'),
  );
});

test('update() keeps unchanged checks on their grid, stops removed ones and starts new ones', async (t) => {
  useClock(t);
  const { run, of } = recorder(0);
  const keep = check('keep', 1_000);
  const scheduler = new Scheduler([keep, check('gone', 1_000), check('retimed', 1_000)], {
    concurrency: 8,
    seed: 4,
    bus: new EventBus(),
    deadline: RUN_DEADLINE,
    run,
  });
  try {
    scheduler.start();
    await advance(t, 5_300, 100);
    const summary = scheduler.update([check('keep', 1_000, 99), check('retimed', 2_000), check('new', 1_000)]);
    assert.deepEqual(summary, { added: ['new'], removed: ['gone'], changed: ['retimed'], unchanged: ['keep'] });
    const goneRuns = of('gone').length;
    const reloadedAt = Date.now();
    await advance(t, 10_000, 100);

    const kept = of('keep').map((c) => c.scheduledAt);
    const phase = (kept[0] as number) - T0;
    assert.deepEqual(
      kept,
      kept.map((_, i) => T0 + phase + i * 1_000),
      'one unbroken grid across the reload',
    );
    assert.equal(of('gone').length, goneRuns, 'removed check ran no more');
    const retimed = of('retimed')
      .filter((c) => c.scheduledAt >= reloadedAt)
      .map((c) => c.scheduledAt);
    assert.ok(retimed.length >= 4 && retimed.every((at, i) => i === 0 || at - (retimed[i - 1] as number) === 2_000));
    const added = of('new');
    assert.ok(added.length >= 9, `new check ran ${added.length} times`);
    assert.ok((added[0] as Call).scheduledAt - reloadedAt < 1_000, 'new check starts within one interval');
  } finally {
    await stopNow(t, scheduler);
  }
});

test('update() with a duplicate name changes nothing; disabled checks are not scheduled', async (t) => {
  useClock(t);
  const { run, of } = recorder(0);
  const off = { ...check('off', 1_000), enabled: false };
  const scheduler = new Scheduler([check('a', 1_000), off], {
    concurrency: 8,
    seed: 4,
    bus: new EventBus(),
    deadline: RUN_DEADLINE,
    run,
  });
  try {
    scheduler.start();
    assert.throws(
      () => scheduler.update([check('b', 1_000, 3), check('b', 1_000, 7)]),
      (e: unknown) =>
        isCanaryError(e, 'CANARY_ERR_CONFIG') && /"b" is used twice \(test:3:1 and test:7:1\)/.test(e.message),
    );
    await advance(t, 5_000, 100);
    assert.ok(of('a').length >= 4, 'the old set still runs');
    assert.equal(of('b').length, 0);
    assert.equal(of('off').length, 0);
  } finally {
    await stopNow(t, scheduler);
  }
});

test('a check removed by update() while its run waits at the gate never runs', async (t) => {
  useClock(t);
  const { calls, run, of } = recorder(Infinity);
  // Both due at second 0; with one slot, one runs (until its 60 s timeout) and one waits.
  const cron = { kind: 'cron', expression: '0 * * * * *' } as const;
  const checks = [
    { ...check('x', 1_000), schedule: cron },
    { ...check('y', 1_000), schedule: cron },
  ];
  const scheduler = new Scheduler(checks, {
    concurrency: 1,
    seed: 1,
    bus: new EventBus(),
    deadline: RUN_DEADLINE,
    run,
  });
  try {
    scheduler.start();
    await advance(t, 60_000, 1_000);
    assert.equal(calls.length, 1);
    const running = (calls[0] as Call).check;
    const queued = running === 'x' ? 'y' : 'x';
    const summary = scheduler.update(checks.filter((c) => c.name === running));
    assert.deepEqual(summary.removed, [queued]);
    await advance(t, 65_000, 1_000); // the running one times out at 2:00 and frees the slot
    assert.ok(of(running)[0]?.reason instanceof DOMException, 'the slot was freed');
    assert.equal(of(queued).length, 0);
  } finally {
    await stopNow(t, scheduler);
  }
});
