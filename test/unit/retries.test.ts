import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { agentConfigSchema } from '../../src/config/schema/agent.js';
import { worstRunMs } from '../../src/config/schema/base.js';
import { moduleSchema } from '../../src/config/schema/module.js';
import { formatProblem, isCanaryError } from '../../src/errors.js';
import { EventBus } from '../../src/results/bus.js';
import { RUN_DEADLINE, runBudgetMs } from '../../src/run/budget.js';
import { backoffMs } from '../../src/run/retry.js';
import { Scheduler, type RunContext } from '../../src/scheduler/index.js';
import { makeHttpCheck } from '../helpers/checks.js';
import { flush, useClock } from '../helpers/clock.js';

test('probes.defaults.retries defaults to no retries and a 500ms backoff', () => {
  assert.deepEqual(agentConfigSchema.parse({}).probes.defaults.retries, { count: 0, backoff: 500 });
});

test('retries.count is 0..10 and retries takes no other keys', () => {
  const at = (retries: unknown) => agentConfigSchema.safeParse({ probes: { defaults: { retries } } });
  assert.equal(at({ count: 10 }).success, true);
  assert.equal(at({ count: 11 }).success, false);
  assert.equal(at({ count: -1 }).success, false);
  assert.equal(at({ count: 1, jitter: true }).success, false);
  const check = (retries: unknown) =>
    agentConfigSchema.safeParse({ checks: [{ name: 'a', kind: 'http', target: 'http://127.0.0.1/', retries }] });
  assert.equal(check({ backoff: '1s' }).success, true);
  assert.equal(check({ count: 1.5 }).success, false);
  assert.equal(check({ backoff: 'soon' }).success, false);
});

test('a probe module takes no retries: one scrape is one attempt', () => {
  assert.equal(moduleSchema.safeParse({ prober: 'http' }).success, true);
  assert.equal(moduleSchema.safeParse({ prober: 'http', retries: { count: 1 } }).success, false);
});

test('the worst run is every attempt timing out plus the doubling backoffs', () => {
  assert.equal(worstRunMs(1_000, { count: 0, backoffMs: 500 }), 1_000);
  assert.equal(worstRunMs(1_000, { count: 2, backoffMs: 500 }), 3_000 + 500 + 1_000);
  assert.deepEqual(
    [1, 2, 3].map((retry) => backoffMs({ count: 3, backoffMs: 500 }, retry)),
    [500, 1_000, 2_000],
  );
});

test('a run is budgeted its worst case, within the interval, and the first attempt always its whole timeout', () => {
  const budget = (everyMs: number, timeoutMs: number, count: number) =>
    runBudgetMs(
      makeHttpCheck({ target: 'http://127.0.0.1/' }, { everyMs, timeoutMs, retries: { count, backoffMs: 500 } }),
    );
  assert.equal(budget(30_000, 1_000, 0), 1_000);
  assert.equal(budget(30_000, 1_000, 2), 4_500);
  assert.equal(budget(4_000, 1_000, 2), 4_000, 'cut to the interval');
  assert.equal(budget(500, 1_000, 0), 1_000, 'a timeout over the interval is kept as it was');
  const cron = {
    ...makeHttpCheck({ target: 'http://127.0.0.1/' }, { timeoutMs: 1_000, retries: { count: 2, backoffMs: 500 } }),
    schedule: { kind: 'cron', expression: '* * * * *' } as const,
  };
  assert.equal(runBudgetMs(cron), 4_500, 'cron checks have no interval to cut to');
});

function withConfig(t: TestContext, yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'canary-retries-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'agent.yaml');
  writeFileSync(file, yaml);
  return file;
}

test('a check takes each retries key it leaves out from probes.defaults.retries', async (t) => {
  const file = withConfig(
    t,
    [
      'probes: { defaults: { interval: 1m, timeout: 5s, retries: { count: 1, backoff: 1s } } }',
      'checks:',
      '  - { name: own-count, kind: http, target: "http://127.0.0.1/", retries: { count: 3 } }',
      '  - { name: own-backoff, kind: http, target: "http://127.0.0.1/", retries: { backoff: 2s } }',
      '  - { name: none, kind: http, target: "http://127.0.0.1/", retries: { count: 0 } }',
      '  - { name: defaults, kind: http, target: "http://127.0.0.1/" }',
    ].join('\n'),
  );
  const config = await loadConfig(file, { env: {} });
  assert.deepEqual(
    config.checks.map((c) => [c.name, c.retries]),
    [
      ['own-count', { count: 3, backoffMs: 1_000 }],
      ['own-backoff', { count: 1, backoffMs: 2_000 }],
      ['none', { count: 0, backoffMs: 1_000 }],
      ['defaults', { count: 1, backoffMs: 1_000 }],
    ],
  );
});

test('retries from probes.defaults that do not fit a check are reported at the check, naming the fields', async (t) => {
  const file = withConfig(
    t,
    [
      'probes: { defaults: { interval: 1s, timeout: 400ms, retries: { count: 1 } } }',
      'checks:',
      '  - { name: tight, kind: http, target: "http://127.0.0.1/" }',
    ].join('\n'),
  );
  const err = await loadConfig(file, { env: {} }).then(
    () => assert.fail('loaded'),
    (e: unknown) => e,
  );
  assert.ok(isCanaryError(err, 'CANARY_ERR_CONFIG'));
  assert.deepEqual(
    err.problems.map((p) => formatProblem({ ...p, file: 'agent.yaml' })),
    [
      'agent.yaml:3:5: checks[0]: 2 attempts of timeout (400ms) plus 500ms of retries.backoff can take 1.3s, more than interval (1s): lower retries.count, retries.backoff or timeout, or raise interval',
    ],
  );
});

/** Starts one check on mocked time and lets its first run begin; the run holds until aborted. */
async function firstRun(
  t: TestContext,
  count: number,
): Promise<{ ctx: RunContext; reason: Promise<unknown>; scheduler: Scheduler }> {
  useClock(t);
  const c = makeHttpCheck(
    { name: 'budgeted', target: 'http://127.0.0.1:9/' },
    { everyMs: 10_000, timeoutMs: 1_000, retries: { count, backoffMs: 500 } },
  );
  let seen: RunContext | undefined;
  const scheduler = new Scheduler([c], {
    concurrency: 1,
    seed: 1,
    bus: new EventBus(),
    deadline: RUN_DEADLINE,
    run: (_check, ctx) => {
      seen = ctx;
      return new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    },
  });
  scheduler.start();
  for (let i = 0; i < 100 && !seen; i++) {
    t.mock.timers.tick(100);
    await flush();
  }
  const ctx = seen;
  assert.ok(ctx, 'the first run started within its interval');
  const reason = new Promise((resolve) =>
    ctx.signal.addEventListener('abort', () => resolve(ctx.signal.reason), { once: true }),
  );
  return { ctx, reason, scheduler };
}

test('the scheduler gives a run with retries the budget of all its attempts as its deadline', async (t) => {
  const { ctx, reason, scheduler } = await firstRun(t, 2);
  assert.equal(ctx.deadline - ctx.startedAt, 4_500);
  t.mock.timers.tick(4_499);
  assert.equal(ctx.signal.aborted, false, 'still within its budget after one timeout');
  t.mock.timers.tick(1);
  const why = (await reason) as DOMException;
  assert.equal(why.name, 'TimeoutError');
  assert.equal(why.message, 'run timed out after 4500ms');
  await scheduler.stop();
});

test('without retries the run deadline is the timeout, as before', async (t) => {
  const { ctx, reason, scheduler } = await firstRun(t, 0);
  assert.equal(ctx.deadline - ctx.startedAt, 1_000);
  t.mock.timers.tick(1_000);
  assert.equal(((await reason) as DOMException).message, 'probe timed out after 1000ms');
  await scheduler.stop();
});
