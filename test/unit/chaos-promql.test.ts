import { test } from 'node:test';
import assert from 'node:assert/strict';
import { experimentSchema, type ExperimentInput } from '../../src/chaos/schema.js';
import type { PromqlEntry } from '../../src/chaos/model/experiment.js';
import { formatPlan } from '../../src/chaos/dry-run.js';
import { parseExpect } from '../../src/chaos/promql/expect.js';
import { withPromql } from '../../src/chaos/promql/hypothesis.js';
import { promqlVerdict, type PromAnswer, type PromSample } from '../../src/chaos/promql/verdict.js';

test('expect is an operator and a finite number, kept as written', () => {
  assert.deepEqual(parseExpect(' > 0.99 '), { op: '>', value: 0.99, text: '> 0.99' });
  assert.deepEqual(parseExpect('>=1'), { op: '>=', value: 1, text: '>=1' });
  assert.deepEqual(parseExpect('== 0'), { op: '==', value: 0, text: '== 0' });
  assert.deepEqual(parseExpect('< -2.5e3'), { op: '<', value: -2500, text: '< -2.5e3' });
  for (const bad of ['0.99', '=> 1', '> ', '> abc', '> Infinity', '> 99%', '!= 1', '> 1 2'])
    assert.equal(parseExpect(bad), undefined, bad);
});

const now = Date.parse('2026-01-01T00:00:00Z');
const entry = (e: Partial<PromqlEntry> = {}): PromqlEntry => ({
  promql: 'avg by (check)(probe_success)',
  everyMs: 5000,
  staleAfterMs: 40_000,
  ...e,
});
const sample = (check: string, value: number, ageMs = 0): PromSample => ({
  labels: { check },
  at: (now - ageMs) / 1000,
  value,
});
const ok = (...samples: PromSample[]): PromAnswer => ({ ok: true, samples });
const gt99 = { expect: { op: '>' as const, value: 0.99, text: '> 0.99' } };

test('a vector holds only when every series meets expect; the failing series are named', () => {
  const good = promqlVerdict(entry(gt99), ok(sample('web', 1), sample('api', 0.995)), now);
  assert.equal(good.holds, true);
  assert.deepEqual(good.failed, []);
  assert.deepEqual(good.observed, ['{check="web"} 1', '{check="api"} 0.995']);
  const bad = promqlVerdict(entry(gt99), ok(sample('web', 1), sample('api', 0.5)), now);
  assert.equal(bad.holds, false);
  assert.equal(bad.judgeable, true);
  assert.deepEqual(bad.failed, ['{check="api"} 0.5 not > 0.99']);
  assert.equal(bad.check, 'promql: avg by (check)(probe_success)');
});

test('without expect, a non-empty answer holds (the comparison is inside the query)', () => {
  assert.equal(promqlVerdict(entry({ promql: 'x < 1' }), ok(sample('web', 0.5)), now).holds, true);
});

test('an error, an empty vector and a stale answer do not hold, and say why', () => {
  // Blind (nobody could look) trips an abort condition; empty is a filter query's calm answer.
  const cases: [PromAnswer, RegExp, boolean][] = [
    [{ ok: false, error: 'no answer within 5000 ms' }, /^prometheus: no answer within 5000 ms$/, true],
    [ok(), /^empty result/, false],
    [ok(sample('web', 1), sample('api', 1, 41_000)), /^stale answer: evaluated 41s ago \(more than 40s\)$/, true],
  ];
  for (const [answer, why, blind] of cases) {
    for (const e of [entry(), entry(gt99)]) {
      const v = promqlVerdict(e, answer, now);
      assert.equal(v.holds, false);
      assert.equal(v.judgeable, false);
      assert.equal(v.blind === true, blind);
      assert.equal(v.failed.length, 1);
      assert.match(v.failed[0] as string, why);
    }
  }
  assert.equal(promqlVerdict(entry(), ok(sample('web', 1, 39_000)), now).holds, true);
});

test('a report holds with its PromQL verdicts only when all of them hold', () => {
  const report = { at: 'now', holds: true, entries: [] };
  const held = promqlVerdict(entry(), ok(sample('web', 1)), now);
  const empty = promqlVerdict(entry(), ok(), now);
  assert.equal(withPromql(report, [held]).holds, true);
  assert.equal(withPromql(report, [held, empty]).holds, false);
  assert.equal(withPromql({ ...report, holds: false }, [held]).holds, false);
  assert.equal(withPromql(report, [held, empty]).entries.length, 2);
});

const base: ExperimentInput = { name: 'unit', blastRadius: { maxInstances: 1 }, method: [{ pause: '1s' }] };

test('PromQL entries are parsed apart from the check entries, with every and staleAfter defaults', () => {
  const parsed = experimentSchema.parse({
    ...base,
    steadyState: [
      { check: 'web', successRatio: '>= 99%' },
      { promql: ' up ', expect: '== 1' },
    ],
    abortWhen: [{ promql: 'avg(probe_success) < 0.9', every: '2s', staleAfter: '10s' }],
  });
  assert.deepEqual(
    parsed.steadyState.map((t) => t.check),
    ['web'],
  );
  assert.deepEqual(parsed.promql, {
    steadyState: [{ promql: 'up', expect: { op: '==', value: 1, text: '== 1' }, everyMs: 5000, staleAfterMs: 40_000 }],
    abortWhen: [{ promql: 'avg(probe_success) < 0.9', everyMs: 2000, staleAfterMs: 10_000 }],
  });
  assert.equal(experimentSchema.parse(base).promql, undefined);
});

test('a dry run lists the PromQL entries beside the check entries', () => {
  const parsed = experimentSchema.parse({
    ...base,
    abortWhen: [{ promql: 'avg(probe_success) < 0.9', every: '2s' }],
  });
  const text = formatPlan({
    experiment: 'unit',
    file: 'unit.yaml',
    steadyState: parsed.steadyState,
    abortWhen: parsed.abortWhen,
    ...(parsed.promql ? { promql: parsed.promql } : {}),
    blastRadius: parsed.blastRadius,
    method: [],
    rollback: [],
    rollbackStrategy: 'always',
    maxDurationMs: 60_000,
    ok: true,
  });
  assert.match(text, /^steady state: none$/m);
  assert.match(text, /^abort when: {3}promql avg\(probe_success\) < 0\.9 every 2s$/m);
});
