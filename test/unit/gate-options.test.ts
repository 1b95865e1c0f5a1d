import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCanaryError } from '../../src/errors.js';
import { GATE_DEFAULTS, parseGateOptions } from '../../src/gate/options.js';
import { parseLabelFlags, selectChecks } from '../../src/gate/select.js';
import { makeHttpCheck } from '../helpers/checks.js';

const BASE = 'http://127.0.0.1:8080';

function problems(raw: Record<string, string | undefined>): string[] {
  const parsed = parseGateOptions(raw);
  assert.equal(parsed.ok, false, `expected problems for ${JSON.stringify(raw)}`);
  return parsed.ok ? [] : parsed.problems;
}

test('options: defaults come from GATE_DEFAULTS, durations become ms', () => {
  const parsed = parseGateOptions({ baseUrl: BASE, runs: '10' });
  assert.ok(parsed.ok);
  assert.equal(parsed.options.runs, 10);
  assert.equal(parsed.options.duration, undefined);
  assert.equal(parsed.options.interval, 1_000);
  assert.equal(parsed.options.minSuccessRatio, Number(GATE_DEFAULTS.minSuccessRatio));
  assert.equal(parsed.options.maxP95, 500);
  assert.equal(parsed.options.baseUrl.href, `${BASE}/`);
  const timed = parseGateOptions({
    baseUrl: BASE,
    duration: '2m',
    interval: '10ms',
    minSuccessRatio: '1',
    maxP95: '1.5s',
  });
  assert.ok(timed.ok);
  assert.deepEqual(
    [timed.options.duration, timed.options.interval, timed.options.minSuccessRatio, timed.options.maxP95],
    [120_000, 10, 1, 1_500],
  );
});

test('options: exactly one of --runs and --duration', () => {
  assert.deepEqual(problems({ baseUrl: BASE }), ['give exactly one of --runs N or --duration D']);
  assert.deepEqual(problems({ baseUrl: BASE, runs: '5', duration: '1m' }), [
    'give exactly one of --runs N or --duration D',
  ]);
});

test('options: each bad value names its flag', () => {
  assert.deepEqual(problems({ baseUrl: BASE, runs: 'ten' }), ['--runs: must be a whole number']);
  assert.deepEqual(problems({ baseUrl: BASE, runs: '0' }), ['--runs: must be between 1 and 10000']);
  assert.deepEqual(problems({ baseUrl: BASE, runs: '1', interval: '1ms' }), [
    '--interval: must be between 10ms and 5m',
  ]);
  assert.deepEqual(problems({ baseUrl: BASE, runs: '1', interval: '1h' }), ['--interval: must be between 10ms and 5m']);
  assert.deepEqual(problems({ baseUrl: BASE, duration: '7h' }), ['--duration: must be between 100ms and 6h']);
  assert.match(problems({ baseUrl: BASE, runs: '1', maxP95: '500' })[0] ?? '', /^--max-p95: must be a duration/);
  assert.deepEqual(problems({ baseUrl: BASE, runs: '1', minSuccessRatio: '99' }), [
    '--min-success-ratio: must be a number between 0 and 1, e.g. 0.99',
  ]);
  assert.deepEqual(problems({ baseUrl: BASE, runs: '1', minSuccessRatio: '1.5' }), [
    '--min-success-ratio: must be a number between 0 and 1, e.g. 0.99',
  ]);
  assert.deepEqual(problems({ baseUrl: 'localhost:8080', runs: '1' }), [
    '--base-url: must be an absolute http:// or https:// URL',
  ]);
});

test('options: ratios people write are accepted', () => {
  for (const [text, value] of [
    ['0', 0],
    ['1', 1],
    ['0.99', 0.99],
    ['.5', 0.5],
    ['1.0', 1],
    ['0.999', 0.999],
  ] as const) {
    const parsed = parseGateOptions({ baseUrl: BASE, runs: '1', minSuccessRatio: text });
    assert.ok(parsed.ok, text);
    assert.equal(parsed.options.minSuccessRatio, value);
  }
});

const CHECKS = [
  makeHttpCheck({ name: 'api', target: 'https://api.example.com/v1', labels: { team: 'search', tier: 'front' } }),
  makeHttpCheck({ name: 'admin', target: 'https://api.example.com/admin', labels: { team: 'ops' } }),
  makeHttpCheck({ name: 'old', target: 'https://api.example.com/old', enabled: false, labels: { team: 'search' } }),
];

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(isCanaryError(err, 'CANARY_ERR_USAGE'), String(err));
    return err.message;
  }
  assert.fail('expected a usage error');
}

test('select: every enabled HTTP check by default; labels narrow; names pick (disabled too)', () => {
  const names = (picked: { name: string }[]) => picked.map((c) => c.name);
  assert.deepEqual(names(selectChecks(CHECKS, { names: [], labels: {} })), ['api', 'admin']);
  assert.deepEqual(names(selectChecks(CHECKS, { names: [], labels: { team: 'search' } })), ['api']);
  assert.deepEqual(names(selectChecks(CHECKS, { names: ['old', 'api'], labels: {} })), ['api', 'old']);
  assert.deepEqual(names(selectChecks(CHECKS, { names: ['api', 'admin'], labels: { team: 'ops' } })), ['admin']);
});

test('select: unknown names and empty selections are usage errors', () => {
  assert.equal(
    usageMessage(() => selectChecks(CHECKS, { names: ['api', 'nope'], labels: {} })),
    '--check: no check named "nope" in the config (known: api, admin, old)',
  );
  assert.equal(
    usageMessage(() => selectChecks(CHECKS, { names: [], labels: { team: 'none' } })),
    'no checks to run: the config has no enabled HTTP check with labels team=none',
  );
  assert.equal(
    usageMessage(() => selectChecks([], { names: [], labels: {} })),
    'no checks to run: the config has no enabled HTTP check',
  );
});

test('select: label flags parse NAME=VALUE', () => {
  assert.deepEqual(parseLabelFlags('--label', ['team=sre', 'env=a=b', 'empty=']), {
    team: 'sre',
    env: 'a=b',
    empty: '',
  });
  assert.equal(
    usageMessage(() => parseLabelFlags('--label', ['team'])),
    '--label team: must be NAME=VALUE',
  );
  assert.equal(
    usageMessage(() => parseLabelFlags('--tag', ['=x'])),
    '--tag =x: must be NAME=VALUE',
  );
});
