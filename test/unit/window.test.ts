import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus } from '../../src/results/bus.js';
import type { CheckResult } from '../../src/results/types.js';
import { ResultWindows } from '../../src/results/window.js';
import { SampleRing } from '../../src/results/window/ring.js';
import { quantile } from '../../src/results/window/quantile.js';
import { makeResult } from '../helpers/results.js';

const T0 = 1_700_000_000_000;

/** A result that finished at `endsAt` (epoch ms) after `seconds`. */
function result(check: string, endsAt: number, seconds: number, ok = true): CheckResult {
  const failed = ok ? {} : { reason: 'http_status' as const };
  return makeResult(
    { check, target: 'http://127.0.0.1/', ok, ...failed, startedAt: endsAt - seconds * 1000, durationSeconds: seconds },
    { ok: true },
  );
}

function close(actual: number | undefined, expected: number, what: string): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-9, `${what}: ${actual} != ${expected}`);
}

test('quantiles interpolate between nearest ranks', () => {
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantile([7], 0.99), 7);
  assert.equal(quantile([1, 2, 3, 4, 5], 0), 1);
  assert.equal(quantile([1, 2, 3, 4, 5], 1), 5);
  close(quantile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.95), 95.5, 'p95');
});

test('success ratio and quantiles over the window, from bus results', () => {
  const bus = new EventBus();
  const windows = new ResultWindows(bus, { retentionMs: 60_000 });
  try {
    // 100 results, one every 100ms, durations 0.001..0.100s; every 10th failed.
    for (let i = 1; i <= 100; i++) bus.emit('result', result('api', T0 + i * 100, i / 1000, i % 10 !== 0));
    const s = windows.stats('api', 60_000, T0 + 10_000);
    assert.ok(s);
    assert.equal(s.count, 100);
    assert.equal(s.successes, 90);
    close(s.successRatio, 0.9, 'ratio');
    close(s.p50, 0.0505, 'p50');
    close(s.p95, 0.09505, 'p95');
    close(s.p99, 0.09901, 'p99');
    // The last second only: results 91..100, of which one (100) failed.
    const last = windows.stats('api', 1_000, T0 + 10_000);
    assert.deepEqual([last?.count, last?.successes], [10, 9]);
    close(last?.p50, 0.0955, 'p50 of the last second');
    // Another check's results never mix in.
    bus.emit('result', result('other', T0 + 10_000, 5, false));
    assert.equal(windows.stats('api', 1_000, T0 + 10_000)?.count, 10);
    assert.deepEqual(windows.checks().sort(), ['api', 'other']);
  } finally {
    windows.close();
  }
});

test('a result counts from when it finished; the window is (now - window, now]', () => {
  const bus = new EventBus();
  const windows = new ResultWindows(bus, { retentionMs: 60_000 });
  try {
    bus.emit('result', result('api', T0, 2));
    assert.equal(windows.stats('api', 1_000, T0 - 1)?.count, undefined, 'not yet finished at now');
    assert.equal(windows.stats('api', 1_000, T0)?.count, 1);
    assert.equal(windows.stats('api', 1_000, T0 + 999)?.count, 1);
    assert.equal(windows.stats('api', 1_000, T0 + 1_000), undefined, 'aged out of the window');
  } finally {
    windows.close();
  }
});

test('results older than the retention are evicted as new ones arrive', () => {
  const bus = new EventBus();
  const windows = new ResultWindows(bus, { retentionMs: 10_000 });
  try {
    bus.emit('result', result('api', T0, 0.5, false));
    bus.emit('result', result('api', T0 + 6_000, 0.1));
    assert.equal(windows.stats('api', 10_000, T0 + 6_000)?.count, 2);
    bus.emit('result', result('api', T0 + 15_000, 0.1));
    // Asked at the time of the first result, the window would hold it if it were still kept.
    assert.equal(windows.stats('api', 10_000, T0 + 6_000)?.count, 1);
    const now = windows.stats('api', 10_000, T0 + 15_000);
    assert.deepEqual([now?.count, now?.successRatio], [2, 1]);
    assert.throws(() => windows.stats('api', 10_001, T0), /longer than the 10000ms retained/);
  } finally {
    windows.close();
  }
});

test('a check that goes quiet yields undefined, as does one never seen', () => {
  const bus = new EventBus();
  const windows = new ResultWindows(bus, { retentionMs: 30_000 });
  try {
    assert.equal(windows.stats('never', 30_000, T0), undefined);
    bus.emit('result', result('api', T0, 0.1));
    assert.equal(windows.stats('api', 30_000, T0 + 40_000), undefined);
  } finally {
    windows.close();
  }
});

test('the ring keeps at most maxSamples per check, the newest', () => {
  const bus = new EventBus();
  const windows = new ResultWindows(bus, { retentionMs: 3_600_000, maxSamples: 50 });
  try {
    // 200 results in 20s: all within retention, so only the cap limits them.
    for (let i = 1; i <= 200; i++) bus.emit('result', result('busy', T0 + i * 100, i, i > 150));
    const s = windows.stats('busy', 3_600_000, T0 + 20_000);
    assert.equal(s?.count, 50);
    assert.equal(s?.successes, 50, 'the 50 kept are 151..200, all ok');
    close(s?.p50, 175.5, 'p50 of 151..200');
  } finally {
    windows.close();
  }
});

test('the ring grows by doubling up to its maximum and keeps order when wrapping', () => {
  const ring = new SampleRing(40);
  assert.equal(ring.capacity, 16);
  for (let i = 0; i < 17; i++) ring.push(i, i, true);
  assert.equal(ring.capacity, 32);
  for (let i = 17; i < 100; i++) ring.push(i, i, i % 2 === 0);
  assert.equal(ring.capacity, 40);
  assert.equal(ring.size, 40);
  assert.equal(ring.newest(), 99);
  const all = ring.collect(-Infinity, Infinity);
  assert.deepEqual(
    all.durations,
    Array.from({ length: 40 }, (_, i) => 60 + i),
  );
  assert.equal(all.successes, 20);
  ring.evictBefore(90);
  assert.equal(ring.size, 10);
  assert.deepEqual(ring.collect(-Infinity, Infinity).durations, [90, 91, 92, 93, 94, 95, 96, 97, 98, 99]);
});

test('checks that stopped reporting (removed on reload) are forgotten by a later sweep', () => {
  const bus = new EventBus();
  const windows = new ResultWindows(bus, { retentionMs: 1_000 });
  try {
    bus.emit('result', result('removed', T0, 0.1));
    // Sweeps run every so many results; 2,000 is comfortably past one.
    for (let i = 1; i <= 2_000; i++) bus.emit('result', result('kept', T0 + 10_000 + i, 0.1));
    assert.deepEqual(windows.checks(), ['kept']);
  } finally {
    windows.close();
  }
});

test('close unsubscribes from the bus and drops samples', () => {
  const bus = new EventBus();
  const windows = new ResultWindows(bus, { retentionMs: 60_000 });
  bus.emit('result', result('api', T0, 0.1));
  windows.close();
  bus.emit('result', result('api', T0 + 1, 0.1));
  assert.equal(windows.stats('api', 60_000, T0 + 1), undefined);
  assert.deepEqual(windows.checks(), []);
});

test('bad options are refused', () => {
  const bus = new EventBus();
  assert.throws(() => new ResultWindows(bus, { retentionMs: 0 }), /retentionMs must be positive/);
  assert.throws(
    () => new ResultWindows(bus, { retentionMs: 1_000, maxSamples: 0 }),
    /maxSamples must be a positive integer/,
  );
});

test('latest: the newest results, newest first, each failure with its reason, across growth and wrapping', () => {
  const bus = new EventBus();
  const windows = new ResultWindows(bus, { retentionMs: 600_000, maxSamples: 40 });
  try {
    for (let i = 0; i < 100; i++) bus.emit('result', result('api', T0 + i * 1_000, 0.01, i % 3 !== 0));
    const latest = windows.latest('api', 5);
    assert.deepEqual(
      latest.map((s) => [s.at, s.ok, s.reason]),
      [
        [T0 + 99_000, false, 'http_status'],
        [T0 + 98_000, true, undefined],
        [T0 + 97_000, true, undefined],
        [T0 + 96_000, false, 'http_status'],
        [T0 + 95_000, true, undefined],
      ],
    );
    assert.equal(windows.latest('api', 1_000).length, 40, 'at most what the ring holds');
    assert.equal(windows.latest('api', 1_000).at(-1)?.reason, 'http_status', 'the oldest held (run 60) failed');
    assert.deepEqual(windows.flags('api', 4), { count: 4, bits: 0b0110, newest: T0 + 99_000 });
    assert.deepEqual(windows.latest('never', 5), []);
    const grown = new SampleRing(40);
    for (let i = 0; i < 20; i++) grown.push(i, 0.01, i % 2 === 0, i % 2 === 0 ? 0 : i);
    assert.deepEqual(
      grown.newestSamples(20).map((s) => s.code),
      Array.from({ length: 20 }, (_, i) => ((19 - i) % 2 === 0 ? 0 : 19 - i)),
      'codes survive the ring growing',
    );
  } finally {
    windows.close();
  }
});
