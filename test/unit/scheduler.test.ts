/**
 * Scheduler behaviour under node:test mock timers: the interval grid, no overlap, the
 * concurrency gate and lag, per-attempt timeouts, and runs that throw. Mocked time moves in
 * steps with microtask flushes between them, because the mock sets `Date.now()` to the end
 * of a tick before firing and p-limit starts runs from microtasks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scheduler, type RunFn } from '../../src/scheduler/index.js';
import { EventBus, type AgentEvents } from '../../src/results/bus.js';
import { RUN_DEADLINE } from '../../src/run/budget.js';
import { isCanaryError } from '../../src/errors.js';
import type { ResolvedCheck } from '../../src/config/types.js';
import { makeHttpCheck } from '../helpers/checks.js';
import { advance, stopNow, T0, useClock } from '../helpers/clock.js';

function check(name: string, everyMs: number, timeoutMs = 60_000) {
  return makeHttpCheck({ name, target: 'http://127.0.0.1:9/' }, { everyMs, timeoutMs });
}

interface Call {
  check: string;
  scheduledAt: number;
  startedAt: number;
  abortedAt?: number;
  reason?: unknown;
}

/**
 * A run that holds each call `holdMs(name)` of mocked time (Infinity: until aborted) and
 * records calls, overall concurrency and per-check concurrency.
 */
function recorder(holdMs: (name: string) => number) {
  const calls: Call[] = [];
  const activeByCheck = new Map<string, number>();
  const stats = { active: 0, maxActive: 0, maxPerCheck: 0 };
  const run: RunFn = async (c, ctx) => {
    const call: Call = { check: c.name, scheduledAt: ctx.scheduledAt, startedAt: ctx.startedAt };
    calls.push(call);
    const mine = (activeByCheck.get(c.name) ?? 0) + 1;
    activeByCheck.set(c.name, mine);
    stats.active++;
    stats.maxActive = Math.max(stats.maxActive, stats.active);
    stats.maxPerCheck = Math.max(stats.maxPerCheck, mine);
    const hold = holdMs(c.name);
    await new Promise<void>((resolve) => {
      const timer = Number.isFinite(hold) ? setTimeout(resolve, hold) : undefined;
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        call.abortedAt = Date.now();
        call.reason = ctx.signal.reason;
        resolve();
      });
    });
    stats.active--;
    activeByCheck.set(c.name, (activeByCheck.get(c.name) ?? 1) - 1);
  };
  return { calls, stats, run };
}

function listen(bus: EventBus) {
  const lag: AgentEvents['scheduler.lag'][] = [];
  const skipped: AgentEvents['scheduler.skipped'][] = [];
  const errors: AgentEvents['bus.error'][] = [];
  bus.on('scheduler.lag', (e) => lag.push(e));
  bus.on('scheduler.skipped', (e) => skipped.push(e));
  bus.on('bus.error', (e) => errors.push(e));
  return { lag, skipped, errors };
}

function gaps(values: number[]): number[] {
  return values.slice(1).map((v, i) => v - (values[i] as number));
}

test('interval runs stay on a fixed grid, however late each fires and however long each takes', async (t) => {
  useClock(t);
  const bus = new EventBus();
  const { calls, run } = recorder(() => 300);
  const scheduler = new Scheduler([check('grid', 1_000)], {
    concurrency: 4,
    seed: 7,
    bus,
    deadline: RUN_DEADLINE,
    run,
  });
  try {
    scheduler.start();
    await advance(t, 100_000, 250); // a step that does not divide the interval: every fire is late
    const first = calls[0];
    assert.ok(first);
    assert.ok(first.scheduledAt >= T0 && first.scheduledAt < T0 + 1_000, 'first run within one interval');
    assert.ok(calls.length >= 99 && calls.length <= 101, `ran ${calls.length} times in 100 intervals`);
    assert.deepEqual(new Set(gaps(calls.map((c) => c.scheduledAt))), new Set([1_000]));
    for (const c of calls) assert.ok(c.startedAt - c.scheduledAt < 250, 'started within one step of its slot');
  } finally {
    await stopNow(t, scheduler);
  }
});

test('a run longer than the interval skips ticks, reports them and never overlaps itself', async (t) => {
  useClock(t);
  const bus = new EventBus();
  const events = listen(bus);
  const { calls, stats, run } = recorder(() => 3_500);
  const scheduler = new Scheduler([check('slow', 1_000)], {
    concurrency: 4,
    seed: 1,
    bus,
    deadline: RUN_DEADLINE,
    run,
  });
  try {
    scheduler.start();
    await advance(t, 20_000, 100);
    assert.equal(stats.maxPerCheck, 1);
    assert.ok(calls.length >= 4 && calls.length <= 6, `ran ${calls.length} times`);
    // Each run covers its own tick and the next three; the fourth tick finds it done.
    assert.deepEqual(new Set(gaps(calls.map((c) => c.scheduledAt))), new Set([4_000]));
    assert.ok(events.skipped.length >= 3 * (calls.length - 1), `${events.skipped.length} skips`);
    assert.deepEqual(events.skipped[0], { check: 'slow', kind: 'http' });
  } finally {
    await stopNow(t, scheduler);
  }
});

test('a tick is skipped while the previous run still waits at the concurrency gate', async (t) => {
  useClock(t);
  const bus = new EventBus();
  const { run } = recorder(() => 2_500);
  const running = new Set<string>();
  const wrapped: RunFn = async (c, ctx) => {
    running.add(c.name);
    try {
      await run(c, ctx);
    } finally {
      running.delete(c.name);
    }
  };
  let skippedWhileWaiting = 0;
  bus.on('scheduler.skipped', (e) => {
    if (!running.has(e.check)) skippedWhileWaiting++;
  });
  const scheduler = new Scheduler([check('a', 1_000), check('b', 1_000)], {
    concurrency: 1,
    seed: 3,
    bus,
    deadline: RUN_DEADLINE,
    run: wrapped,
  });
  try {
    scheduler.start();
    await advance(t, 15_000, 100);
    assert.ok(skippedWhileWaiting > 0, 'some skips hit a check that was queued, not running');
    assert.ok(scheduler.inFlight <= 1);
  } finally {
    await stopNow(t, scheduler);
  }
});

test('the concurrency cap holds across checks and the ones kept waiting report lag', async (t) => {
  useClock(t);
  const bus = new EventBus();
  const events = listen(bus);
  // Runs (300 s) outlast the start spread (< 120 s): all but the first two must wait.
  const { calls, stats, run } = recorder(() => 300_000);
  const checks = Array.from({ length: 10 }, (_, i) => check(`c${i}`, 120_000, 600_000));
  const scheduler = new Scheduler(checks, { concurrency: 2, seed: 11, bus, deadline: RUN_DEADLINE, run });
  try {
    scheduler.start();
    let maxInFlight = 0;
    // Three waves of two runs fit in 15 minutes; waves two and three waited >= 180 s.
    for (let i = 0; i < 1_800; i++) {
      await advance(t, 500, 500);
      maxInFlight = Math.max(maxInFlight, scheduler.inFlight);
    }
    assert.equal(stats.maxActive, 2);
    assert.equal(maxInFlight, 2);
    assert.equal(events.lag.length, calls.length, 'one lag event per run');
    assert.ok(calls.length >= 6, `${calls.length} runs in 15 minutes`);
    assert.ok(events.lag.every((e) => e.seconds >= 0));
    const waited = events.lag.filter((e) => e.seconds >= 150);
    assert.ok(waited.length >= 4, `lags: ${events.lag.map((e) => e.seconds).join(', ')}`);
    for (const [i, e] of events.lag.entries()) {
      const c = calls[i] as Call;
      assert.equal(e.check, c.check);
      assert.equal(e.seconds, (c.startedAt - c.scheduledAt) / 1000);
    }
  } finally {
    await stopNow(t, scheduler);
  }
});

test('each attempt aborts after its own timeout, counted from when it passed the gate', async (t) => {
  useClock(t);
  const bus = new EventBus();
  const { calls, run } = recorder(() => Infinity);
  // Both due at second 0 of each minute; with one slot, the second waits for the first's timeout.
  const cron = { kind: 'cron', expression: '0 * * * * *' } as const;
  const checks = [
    { ...check('t1', 1_000, 2_000), schedule: cron },
    { ...check('t2', 1_000, 2_000), schedule: cron },
  ];
  const scheduler = new Scheduler(checks, { concurrency: 1, seed: 5, bus, deadline: RUN_DEADLINE, run });
  try {
    scheduler.start();
    await advance(t, 30_000, 100);
    assert.equal(calls.length, 0, 'nothing due before the minute');
    await advance(t, 35_000, 100); // to :05 past the minute: both have run and timed out
    assert.equal(calls.length, 2);
    const [a, b] = calls as [Call, Call];
    assert.equal(a.scheduledAt, T0 + 60_000);
    assert.equal(b.scheduledAt, T0 + 60_000);
    assert.ok(b.startedAt - b.scheduledAt >= 2_000, 'the second waited for the first to time out');
    for (const c of calls) {
      assert.ok(c.reason instanceof DOMException);
      assert.equal(c.reason.name, 'TimeoutError');
      assert.equal(c.reason.message, 'probe timed out after 2000ms');
      const elapsed = (c.abortedAt as number) - c.startedAt;
      assert.ok(elapsed >= 2_000 && elapsed <= 2_100, `aborted ${elapsed} ms after start`);
    }
    assert.equal(scheduler.inFlight, 0);
  } finally {
    await stopNow(t, scheduler);
  }
});

test("the deadline option decides each run's budget and abort reason, counted from the gate", async (t) => {
  useClock(t);
  const bus = new EventBus();
  const { calls, run } = recorder(() => Infinity);
  const budgets: string[] = [];
  const deadline = {
    budgetMs: (c: ResolvedCheck) => (budgets.push(c.name), 700),
    reason: (c: ResolvedCheck, budgetMs: number) => new DOMException(`${c.name} over ${budgetMs}ms`, 'TimeoutError'),
  };
  const scheduler = new Scheduler([check('own', 5_000)], { concurrency: 1, seed: 9, bus, deadline, run });
  try {
    scheduler.start();
    await advance(t, 6_000, 50); // past the spread offset (under 5 s) plus the budget
    assert.ok(calls.length >= 1, 'the check ran');
    assert.equal(budgets.length, calls.length, 'one budget asked per run');
    const call = calls[0] as Call;
    assert.ok(call.reason instanceof DOMException);
    assert.equal(call.reason.message, 'own over 700ms');
    const elapsed = (call.abortedAt as number) - call.startedAt;
    assert.ok(elapsed >= 700 && elapsed < 750, `aborted ${elapsed} ms of mocked time after start`);
  } finally {
    await stopNow(t, scheduler);
  }
});

test('a run that throws or rejects is reported and does not stop any check', async (t) => {
  useClock(t);
  const bus = new EventBus();
  const events = listen(bus);
  const counts = new Map<string, number>();
  const boom = new Error('boom');
  const run: RunFn = (c) => {
    counts.set(c.name, (counts.get(c.name) ?? 0) + 1);
    if (c.name === 'throws') throw boom;
    if (c.name === 'rejects') return Promise.reject(boom);
    return Promise.resolve();
  };
  const checks = ['throws', 'rejects', 'fine'].map((name) => check(name, 1_000));
  const scheduler = new Scheduler(checks, { concurrency: 8, seed: 2, bus, deadline: RUN_DEADLINE, run });
  try {
    scheduler.start();
    await advance(t, 10_000, 100);
    for (const name of ['throws', 'rejects', 'fine']) {
      const n = counts.get(name) ?? 0;
      assert.ok(n >= 9 && n <= 11, `${name} ran ${n} times`);
    }
    assert.equal(events.skipped.length, 0);
    assert.equal(events.errors.length, (counts.get('throws') ?? 0) + (counts.get('rejects') ?? 0));
    for (const e of events.errors) {
      assert.equal(e.event, 'scheduler.run');
      assert.ok(isCanaryError(e.error, 'CANARY_ERR_INTERNAL'));
      assert.equal(e.error.cause, boom);
    }
  } finally {
    await stopNow(t, scheduler);
  }
});
