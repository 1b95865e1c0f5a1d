import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkStats, judgeCheck, judgeGate } from '../../src/gate/judge.js';
import { buildReport, formatReport } from '../../src/gate/report.js';
import type { FailureReason } from '../../src/results/reasons.js';
import type { CheckResult } from '../../src/results/types.js';
import { makeHttpCheck } from '../helpers/checks.js';
import { makeResult } from '../helpers/results.js';

/** A result of `seconds`; failed with `reason` when given. */
function result(seconds: number, reason?: FailureReason, message?: string): CheckResult {
  const failed = reason ? { reason, message: message ?? reason } : {};
  return makeResult(
    { target: 'http://127.0.0.1/', ok: reason === undefined, ...failed, durationSeconds: seconds },
    { ok: true },
  );
}

const THRESHOLDS = { minSuccessRatio: 0.99, maxP95Ms: 500 };

test('stats: ratio, quantiles over every attempt (failures included), failures by reason', () => {
  const results = [
    result(0.01),
    result(0.02),
    result(0.03, 'http_status', 'status: expected one of 2xx, got 503'),
    result(0.04),
    result(1, 'timeout'),
  ];
  const stats = checkStats(results);
  assert.equal(stats.runs, 5);
  assert.equal(stats.ok, 3);
  assert.equal(stats.successRatio, 0.6);
  assert.equal(stats.p50, 30);
  // Between 40 ms and the 1 s timeout: the slow failure counts.
  assert.equal(stats.p95, 808);
  assert.deepEqual(stats.failures, { http_status: 1, timeout: 1 });
  assert.deepEqual(stats.firstFailure, { reason: 'http_status', message: 'status: expected one of 2xx, got 503' });
});

test('stats: no attempts gives nulls, not zeros', () => {
  const stats = checkStats([]);
  assert.deepEqual(stats, { runs: 0, ok: 0, successRatio: null, p50: null, p95: null, failures: {} });
});

test('judge: passes at exactly the thresholds, fails below the ratio or above the p95', () => {
  const hundred = (failed: number, seconds = 0.1) =>
    Array.from({ length: 100 }, (_, i) => result(seconds, i < failed ? 'http_status' : undefined));
  assert.deepEqual(judgeCheck(checkStats(hundred(1)), THRESHOLDS), { pass: true, why: [] });
  const low = judgeCheck(checkStats(hundred(2)), THRESHOLDS);
  assert.equal(low.pass, false);
  assert.deepEqual(low.why, ['success ratio 0.98 < 0.99 (98 of 100 passed)']);
  assert.equal(judgeCheck(checkStats(hundred(0, 0.5)), THRESHOLDS).pass, true);
  const slow = judgeCheck(checkStats(hundred(0, 0.6)), THRESHOLDS);
  assert.deepEqual(slow, { pass: false, why: ['p95 600ms > 500ms'] });
  const both = judgeCheck(checkStats(hundred(50, 0.6)), THRESHOLDS);
  assert.equal(both.why.length, 2);
});

test('judge: a check with no completed attempt fails; a gate with no checks fails', () => {
  assert.deepEqual(judgeCheck(checkStats([]), THRESHOLDS), { pass: false, why: ['no attempt completed'] });
  assert.equal(judgeGate([]), false);
  assert.equal(judgeGate([{ pass: true, why: [] }]), true);
  assert.equal(
    judgeGate([
      { pass: true, why: [] },
      { pass: false, why: ['x'] },
    ]),
    false,
  );
});

test('report: JSON shape and the human table', () => {
  const good = makeHttpCheck({ name: 'good', target: 'http://127.0.0.1:1/ok' });
  const bad = makeHttpCheck({ name: 'bad', target: 'http://127.0.0.1:1/bad' });
  const results = new Map([
    ['good', [result(0.01), result(0.02)]],
    ['bad', [result(0.01), result(0.01, 'http_status', 'status: expected one of 2xx, got 503')]],
  ]);
  const report = buildReport(
    { baseUrl: new URL('http://127.0.0.1:1'), thresholds: THRESHOLDS, interrupted: false },
    [
      { check: good, configuredTarget: 'https://api.example.com/ok' },
      { check: bad, configuredTarget: 'https://api.example.com/bad' },
    ],
    results,
  );
  assert.equal(report.pass, false);
  assert.deepEqual(report.thresholds, { minSuccessRatio: 0.99, maxP95: 500 });
  assert.deepEqual(
    report.checks.map((c) => [c.name, c.target, c.configuredTarget, c.runs, c.ok, c.successRatio, c.pass, c.failures]),
    [
      ['good', 'http://127.0.0.1:1/ok', 'https://api.example.com/ok', 2, 2, 1, true, {}],
      ['bad', 'http://127.0.0.1:1/bad', 'https://api.example.com/bad', 2, 1, 0.5, false, { http_status: 1 }],
    ],
  );
  const text = formatReport(report);
  assert.match(text, /^CHECK\s+RUNS\s+OK\s+RATIO\s+P50\s+P95\s+VERDICT\s+FIRST FAILURE$/m);
  assert.match(text, /^good\s+2\s+2\s+1\.000\s+15ms\s+19\.5ms\s+PASS\s+-$/m);
  assert.match(
    text,
    /^bad\s+2\s+1\s+0\.500\s+10ms\s+10ms\s+FAIL\s+http_status: status: expected one of 2xx, got 503$/m,
  );
  assert.match(text, /^bad: success ratio 0\.5 < 0\.99 \(1 of 2 passed\)$/m);
  assert.match(text, /^FAIL: 1 of 2 checks failed$/m);
  assert.doesNotMatch(text, /interrupted/);
  assert.match(
    formatReport({ ...report, interrupted: true }),
    /^interrupted: judging only the attempts that completed$/m,
  );
});
