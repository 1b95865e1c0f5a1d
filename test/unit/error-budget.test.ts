import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { budgetVerdict, standaloneBudgetRefusal } from '../../src/chaos/budget.js';
import { loadExperiment } from '../../src/chaos/load.js';
import { experimentSchema, type ExperimentInput } from '../../src/chaos/schema.js';
import { loadConfig } from '../../src/config/load.js';
import { isCanaryError } from '../../src/errors.js';
import { EventBus } from '../../src/results/bus.js';
import type { CheckResult } from '../../src/results/types.js';
import { remainingBudget } from '../../src/slo/budget.js';
import { SloTally } from '../../src/slo/tally.js';
import { makeResult } from '../helpers/results.js';

const DAY = 86_400_000;
const T0 = 1_700_000_000_000;

function close(actual: number | undefined, expected: number, what: string): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-9, `${what}: ${actual} != ${expected}`);
}

test('remaining budget is 1 − bad fraction ÷ allowed fraction, clamped to [0, 1]', () => {
  close(remainingBudget({ total: 1000, bad: 0 }, 0.99), 1, 'no failures');
  close(remainingBudget({ total: 1000, bad: 5 }, 0.99), 0.5, 'half of the 1% spent');
  close(remainingBudget({ total: 1000, bad: 10 }, 0.99), 0, 'exactly spent');
  close(remainingBudget({ total: 1000, bad: 300 }, 0.99), 0, 'overspent is gone, not negative');
  close(remainingBudget({ total: 4000, bad: 1 }, 0.999), 0.75, 'a quarter of 0.1% spent');
  assert.equal(remainingBudget({ total: 0, bad: 0 }, 0.99), undefined, 'no runs: unknown, not full');
});

test('the gate holds a run back below min or without data, and lets it go at or above min', () => {
  const gate = { slo: 'api', min: 0.25 };
  const at = (remaining: number) => ({ source: 'Prometheus', remaining });
  assert.equal(budgetVerdict(gate, at(0.25)), undefined);
  assert.equal(budgetVerdict(gate, at(1)), undefined);
  assert.match(
    budgetVerdict(gate, at(0.1)) ?? '',
    /error budget of "api" too low: 10% left \(Prometheus\), requireErrorBudget.min is 25%/,
  );
  assert.match(
    budgetVerdict(gate, { source: "the agent's tally", unknown: 'no results yet' }) ?? '',
    /error budget of "api" is unknown \(the agent's tally\): no results yet/,
  );
});

function result(check: string, endsAt: number, ok: boolean): CheckResult {
  const failed = ok ? {} : { reason: 'http_status' as const };
  return makeResult(
    { check, target: 'http://127.0.0.1/', ok, ...failed, startedAt: endsAt - 100, durationSeconds: 0.1 },
    { ok: true },
  );
}

test('the tally counts only its SLO checks, over their SLO window', () => {
  const bus = new EventBus();
  const tally = new SloTally(bus, new Map([['api', { objective: 0.9, window: DAY }]]));
  try {
    // Two days ago: all failed, outside the 1d window by then.
    for (let i = 0; i < 10; i++) bus.emit('result', result('api', T0 - 2 * DAY + i * 1000, false));
    for (let i = 0; i < 20; i++) bus.emit('result', result('api', T0 + i * 1000, i % 10 !== 0));
    bus.emit('result', result('other', T0, false));
    const now = T0 + 60_000;
    assert.deepEqual(tally.counts('api', now), { total: 20, bad: 2 });
    close(tally.remaining('api', now), 0, '10% bad of a 10% allowance');
    assert.equal(tally.has('other'), false);
    assert.equal(tally.remaining('other', now), undefined);
    // A day later the failures of the first minute have left the window, and nothing is known.
    assert.equal(tally.remaining('api', T0 + 2 * DAY), undefined);
  } finally {
    tally.close();
  }
});

const base: ExperimentInput = { name: 'unit', blastRadius: { maxInstances: 1 }, method: [{ pause: '1s' }] };

test('requireErrorBudget.min is a percentage or a ratio in (0, 1]', () => {
  const parse = (min: unknown) => experimentSchema.safeParse({ ...base, requireErrorBudget: { slo: 'api', min } });
  assert.deepEqual(parse('25%').data?.requireErrorBudget, { slo: 'api', min: 0.25 });
  assert.deepEqual(parse(0.5).data?.requireErrorBudget, { slo: 'api', min: 0.5 });
  assert.equal(parse('100%').data?.requireErrorBudget?.min, 1);
  for (const bad of ['0%', 0, '150%', 1.5, '-1', 'lots', true]) assert.equal(parse(bad).success, false, String(bad));
  assert.equal(experimentSchema.safeParse({ ...base, requireErrorBudget: { slo: 'api' } }).success, false);
});

const scratch = mkdtempSync(join(tmpdir(), 'canary-error-budget-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

test('requireErrorBudget must name a check of the config that has an slo', async () => {
  const agent = join(scratch, 'agent.yaml');
  writeFileSync(
    agent,
    [
      'checks:',
      '  - { name: api, kind: http, target: "http://127.0.0.1:9/", slo: { objective: 99% } }',
      '  - { name: plain, kind: http, target: "http://127.0.0.1:9/" }',
    ].join('\n'),
  );
  const config = await loadConfig(agent, { env: {} });
  const experiment = (slo: string) => {
    const file = join(scratch, `${slo}.yaml`);
    writeFileSync(
      file,
      `name: e\nblastRadius: { maxInstances: 1 }\nmethod: [ { pause: 1s } ]\nrequireErrorBudget: { slo: ${slo}, min: 25% }\n`,
    );
    return loadExperiment(file, config, { env: {} });
  };
  const ok = await experiment('api');
  assert.deepEqual(ok.requireErrorBudget, { slo: 'api', min: 0.25 });
  assert.match(
    standaloneBudgetRefusal(ok) ?? '',
    /standalone run.*--prometheus URL.*canary run --enable-chaos.*nothing was touched/,
  );
  for (const [slo, why] of [
    ['plain', /check "plain" has no slo:/],
    ['missing', /check "missing" is not a check of the agent config/],
  ] as const) {
    const err = await experiment(slo).catch((e: unknown) => e);
    assert.ok(isCanaryError(err), String(err));
    assert.match(err.problems.map((p) => p.message).join('\n'), why);
  }
});
