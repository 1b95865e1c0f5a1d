/** The error budget asked of Prometheus: the query as built, and the verdicts on its answers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { budgetSkipReason, type BudgetReading, type BudgetSource } from '../../src/chaos/budget.js';
import type { Experiment } from '../../src/chaos/model/experiment.js';
import {
  BUDGET_STALE_AFTER_MS,
  budgetQuery,
  freshnessQuery,
  promDuration,
  readBudget,
} from '../../src/chaos/promql/budget.js';
import type { PromAnswer } from '../../src/chaos/promql/verdict.js';
import { EventBus } from '../../src/results/bus.js';

const DAY = 86_400_000;

test('the budget query sums every region over the SLO window and clamps like the tally', () => {
  assert.equal(
    budgetQuery('api', { objective: 0.999, window: 30 * DAY }),
    'clamp(1 - (1 - sum(increase(canary_probe_runs_total{check="api",result="success"}[30d])) / ' +
      'sum(increase(canary_probe_runs_total{check="api"}[30d]))) / (1 - 0.999), 0, 1)',
  );
  assert.match(budgetQuery('web.eu-1', { objective: 0.99, window: 1.5 * DAY }), /\{check="web\.eu-1"\}\[36h\]/);
  assert.equal(freshnessQuery('api'), 'time() - max(timestamp(canary_probe_runs_total{check="api"}))');
});

test('a window is written in its largest whole unit, never with a fraction', () => {
  assert.equal(promDuration(7 * DAY), '7d');
  assert.equal(promDuration(DAY + 3_600_000), '25h');
  assert.equal(promDuration(DAY + 60_000), '1441m');
  assert.equal(promDuration(DAY + 1_500), '86402s');
});

const vector = (...values: number[]): PromAnswer => ({
  ok: true,
  samples: values.map((value) => ({ labels: {}, at: 1_700_000_000, value })),
});
const fresh = vector(5);

test('a fresh answer gives the remaining budget, clamped to 0..1', () => {
  assert.deepEqual(readBudget(vector(0.75), fresh), { source: 'Prometheus', remaining: 0.75 });
  assert.equal(readBudget(vector(0), fresh).remaining, 0);
  assert.equal(readBudget(vector(1.5), fresh).remaining, 1);
});

test('an error, an empty, a NaN, an ambiguous or a stale answer leaves the budget unknown, with why', () => {
  const unknown = (budget: PromAnswer, freshness: PromAnswer = fresh) => {
    const reading = readBudget(budget, freshness);
    assert.equal(reading.remaining, undefined, JSON.stringify(reading));
    return 'unknown' in reading ? reading.unknown : '';
  };
  assert.equal(
    unknown(vector(0.9), { ok: false, error: 'no answer within 10000 ms' }),
    'prometheus: no answer within 10000 ms',
  );
  assert.equal(unknown({ ok: false, error: 'HTTP 400: parse error' }), 'prometheus: HTTP 400: parse error');
  assert.match(unknown(vector(0.9), vector()), /no current series in Prometheus/);
  assert.match(unknown(vector()), /no runs in Prometheus/);
  assert.match(unknown(vector(Number.NaN)), /no runs of the check in its SLO window/);
  assert.match(unknown(vector(0.2, 0.9)), /2 series where one was expected/);
  const old = BUDGET_STALE_AFTER_MS / 1000 + 1;
  assert.match(unknown(vector(0.9), vector(old)), new RegExp(`stale: the newest sample of the check is ${old}s old`));
  assert.equal(readBudget(vector(0.9), vector(BUDGET_STALE_AFTER_MS / 1000)).remaining, 0.9);
});

const gated = { name: 'gated', requireErrorBudget: { slo: 'api', min: 0.25 } } as Experiment;
const fixed = (reading: BudgetReading): BudgetSource => ({ remaining: () => Promise.resolve(reading) });

test('a scheduled tick reports the budget to the gauge and counts a skip below min or when unknown', async () => {
  const bus = new EventBus();
  const budgets: number[] = [];
  const skips: string[] = [];
  bus.on('chaos.budget', (e) => budgets.push(e.remaining));
  bus.on('chaos.run.skipped', (e) => skips.push(e.reason));
  assert.equal(await budgetSkipReason(gated, fixed({ source: 'Prometheus', remaining: 0.5 }), bus), undefined);
  assert.match(
    (await budgetSkipReason(gated, fixed({ source: 'Prometheus', remaining: 0.1 }), bus)) ?? '',
    /too low: 10% left \(Prometheus\)/,
  );
  assert.match(
    (await budgetSkipReason(gated, fixed({ source: 'Prometheus', unknown: 'prometheus: refused' }), bus)) ?? '',
    /unknown \(Prometheus\): prometheus: refused/,
  );
  assert.deepEqual(budgets, [0.5, 0.1]);
  assert.deepEqual(skips, ['error_budget', 'error_budget']);
});
