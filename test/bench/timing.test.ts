/**
 * Tests of the timing benchmark (test/bench/timing/): the holding target and its hold log,
 * the parsing and pairing every figure rests on, the generated agent config, the plans and
 * tables, and one short real window of both probers. Nothing here asserts a duration: only
 * structure and ordering (a client waits at least as long as the server held it).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { findBlackbox } from './blackbox-run.js';
import { stop } from './children.js';
import { ask, startTarget, type Target } from './ipc.js';
import { agentSamples, timingAgentConfig } from './timing/agent-side.js';
import { findPython } from './timing/floor-side.js';
import { windowPlans } from './timing/bench.js';
import { parseTimingOptions } from './timing/options.js';
import { holdPath } from './timing/paths.js';
import { medianRows, windowTable } from './timing/report.js';
import {
  inWindow,
  matchById,
  parseBlackboxProbe,
  quantile,
  quantiles,
  serverTimingMs,
  summarise,
} from './timing/stats.js';
import { drainHolds, startHoldTarget } from './timing/targets.js';
import { runWindow, type TimingWindow } from './timing/window.js';

/** GETs `url`; the client's elapsed ms and the `Server-Timing` header. */
async function timedGet(url: string): Promise<{ clientMs: number; status: number; serverTiming: string | undefined }> {
  const started = performance.now();
  const { statusCode, headers, body } = await request(url);
  const clientMs = performance.now() - started;
  await body.dump();
  const header = headers['server-timing'];
  return { clientMs, status: statusCode, serverTiming: Array.isArray(header) ? header.join(', ') : header };
}

describe('holding target', { timeout: 30_000 }, () => {
  const HOLD_MS = 30;
  let target: Target;
  before(async () => {
    target = await startHoldTarget(HOLD_MS, 2);
  });
  after(() => stop(target.process, 2_000));

  test('holds a /hold/ request and reports the hold in Server-Timing, within what the client waited', async () => {
    const { clientMs, status, serverTiming } = await timedGet(target.origin + holdPath(3));
    assert.equal(status, 200);
    assert.match(serverTiming ?? '', /^hold;dur=\d+\.\d{3}$/);
    const hold = serverTimingMs(serverTiming) as number;
    // The timer's clock counts whole ms, so it may fire just under the hold asked for.
    assert.ok(hold >= HOLD_MS - 1, `hold ${hold}`);
    assert.ok(clientMs >= hold, `client waited ${clientMs} ms, server held ${hold} ms`);
  });

  test('answers any other path at once, without Server-Timing', async () => {
    const { status, serverTiming } = await timedGet(`${target.origin}/c/1`);
    assert.equal(status, 200);
    assert.equal(serverTiming, undefined);
  });

  test('logs holds by request id, drained over IPC, bounded by its cap', async () => {
    await drainHolds(target); // what the tests above left
    const seen = new Map<string, number>();
    for (const id of ['a 1', 'b/2', 'c']) {
      const { serverTiming } = await timedGet(target.origin + holdPath(0, id));
      seen.set(id, serverTimingMs(serverTiming) as number);
    }
    const log = await drainHolds(target);
    // Cap 2: the first two are kept, the third counted.
    assert.deepEqual([...log.holds.keys()], ['a 1', 'b/2']);
    assert.equal(log.dropped, 1);
    for (const [id, hold] of log.holds) assert.equal(hold.toFixed(3), (seen.get(id) as number).toFixed(3));
    assert.equal((await drainHolds(target)).holds.size, 0);
    const { answered } = await ask<{ answered: number }>(target.process, 'count');
    assert.ok(answered >= 5);
  });
});

describe('stats', () => {
  test('nearest-rank quantiles of a known list', () => {
    const list = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose
    assert.deepEqual(quantiles(list), { n: 100, p50: 50, p90: 90, p99: 99, max: 100 });
    assert.equal(quantile([7], 0.99), 7);
    assert.equal(quantile([1, 2, 3, 4], 0.5), 2);
    assert.ok(Number.isNaN(quantile([], 0.5)));
    assert.ok(Number.isNaN(quantiles([]).max));
  });

  test('summarise: added is processing minus hold, jitter is hold minus the configured hold', () => {
    const s = summarise(
      [
        { startedAt: 0, processingMs: 51.5, holdMs: 50.5 },
        { startedAt: 0, processingMs: 53, holdMs: 51 },
      ],
      50,
    );
    assert.equal(s.added.p50, 1);
    assert.equal(s.added.max, 2);
    assert.equal(s.jitter.max, 1);
    assert.equal(s.processing.p50, 51.5);
  });

  test('Server-Timing: the dur of the named metric, among others', () => {
    assert.equal(serverTimingMs('hold;dur=50.123'), 50.123);
    assert.equal(serverTimingMs('cache;desc="hit", hold;desc="x";dur=0.5'), 0.5);
    assert.equal(serverTimingMs('hold; DUR="7"'), 7);
    assert.equal(serverTimingMs('db;dur=3'), undefined);
    assert.equal(serverTimingMs('hold;dur=abc'), undefined);
    assert.equal(serverTimingMs(undefined), undefined);
  });

  test('reads probe_success and the processing phase of a blackbox_exporter /probe answer', () => {
    const text = [
      '# HELP probe_http_duration_seconds Duration of http request by phase, summed over all redirects',
      '# TYPE probe_http_duration_seconds gauge',
      'probe_http_duration_seconds{phase="connect"} 0.000160113',
      'probe_http_duration_seconds{phase="processing"} 0.051250961',
      'probe_http_duration_seconds{phase="resolve"} 2.0912e-05',
      'probe_http_duration_seconds{phase="tls"} 0',
      'probe_http_duration_seconds{phase="transfer"} 4.4271e-05',
      '# HELP probe_success Displays whether or not the probe was a success',
      '# TYPE probe_success gauge',
      'probe_success 1',
    ].join('\n');
    const parsed = parseBlackboxProbe(text);
    assert.equal(parsed.success, true);
    assert.ok(Math.abs((parsed.processingMs as number) - 51.250961) < 1e-9);
    assert.deepEqual(parseBlackboxProbe('probe_success 0\n'), { success: false, processingMs: undefined });
  });

  test('pairs probes with holds by id; counts failed and unmatched ones; filters by window', () => {
    const records = [
      { id: 'x1', startedAt: 10, processingMs: 52 },
      { id: 'x2', startedAt: 20, processingMs: undefined },
      { id: 'x3', startedAt: 30, processingMs: 53 },
      { id: 'x4', startedAt: 40, processingMs: 54 },
    ];
    const matched = matchById(
      records,
      new Map([
        ['x1', 50],
        ['x4', 51],
        ['other', 1],
      ]),
    );
    assert.deepEqual(matched.samples, [
      { startedAt: 10, processingMs: 52, holdMs: 50 },
      { startedAt: 40, processingMs: 54, holdMs: 51 },
    ]);
    assert.equal(matched.failed, 1);
    assert.equal(matched.unmatched, 1);
    assert.deepEqual(
      inWindow(records, 20, 40).map((r) => r.id),
      ['x2', 'x3'],
    );
    const agent = agentSamples([
      { check: 'timed-0', startedAt: 1, processingMs: 51, holdMs: 50 },
      { check: 'timed-1', startedAt: 2, processingMs: null, holdMs: null },
      { check: 'timed-2', startedAt: 3, processingMs: 51, holdMs: null },
    ]);
    assert.deepEqual([agent.samples.length, agent.failed, agent.unmatched], [1, 1, 1]);
  });
});

describe('generated agent config', () => {
  test('loads through the real config loader: timed and other checks, 1 s, new connection per probe', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'canary-bench-timing-test-'));
    try {
      const file = join(dir, 'agent.yaml');
      writeFileSync(
        file,
        stringify(
          timingAgentConfig({
            holdOrigin: 'http://127.0.0.1:9',
            fastOrigin: 'http://127.0.0.1:10',
            timed: 20,
            others: 5,
          }),
        ),
      );
      const config = await loadConfig(file);
      assert.equal(config.checks.length, 25);
      const timed = config.checks.filter((c) => c.name.startsWith('timed-'));
      assert.equal(timed.length, 20);
      assert.equal(timed[0]?.name, 'timed-00');
      assert.equal(new Set(config.checks.map((c) => c.target)).size, 25);
      assert.ok(timed.every((c) => c.target.startsWith('http://127.0.0.1:9/hold/')));
      assert.ok(config.checks.every((c) => c.kind === 'http' && c.http.keepAlive === false));
      assert.deepEqual(config.checks[0]?.schedule, { kind: 'interval', everyMs: 1000 });
      assert.equal(config.probes.seed, 1234);
      assert.equal(config.probes.concurrency, 64);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('plans, options and tables', () => {
  test('quiet is always together; loaded is together unless sequential, then alternates its order', () => {
    const options = { others: 100, sequential: true };
    assert.deepEqual(windowPlans('quiet', 1, options), [
      { scenario: 'quiet', round: 1, others: 0, agent: true, blackbox: true },
    ]);
    assert.deepEqual(
      windowPlans('loaded', 1, { ...options, sequential: false }).map((p) => [p.agent, p.blackbox, p.others]),
      [[true, true, 100]],
    );
    assert.deepEqual(
      windowPlans('loaded', 1, options).map((p) => [p.agent, p.blackbox]),
      [
        [true, false],
        [false, true],
      ],
    );
    assert.deepEqual(
      windowPlans('loaded', 2, options).map((p) => [p.agent, p.blackbox]),
      [
        [false, true],
        [true, false],
      ],
    );
  });

  test('command line: defaults, values, refusals', () => {
    const defaults = parseTimingOptions([]);
    assert.deepEqual(defaults?.options, {
      windowS: 30,
      warmupS: 10,
      others: 1000,
      timed: 20,
      holdMs: 50,
      scenarios: ['quiet', 'loaded'],
      repeat: 1,
      sequential: false,
    });
    assert.match(defaults?.out ?? '', /\.bench[\\/]timing\.json$/);
    const some = parseTimingOptions([
      '--window',
      '20',
      '--scenarios',
      'loaded',
      '--others',
      '0',
      '--timing-sequential',
      '--repeat',
      '3',
      '--hold-ms',
      '20',
    ]);
    assert.deepEqual(some?.options, {
      windowS: 20,
      warmupS: 10,
      others: 0,
      timed: 20,
      holdMs: 20,
      scenarios: ['loaded'],
      repeat: 3,
      sequential: true,
    });
    assert.equal(parseTimingOptions(['--help']), undefined);
    assert.throws(() => parseTimingOptions(['--scenarios', 'quiet,busy']), /unknown scenario busy/);
    assert.throws(() => parseTimingOptions(['--window', '0']), /--window must be a number >= 1/);
  });

  test('one table row per prober per window, and medians over rounds', () => {
    const q = (v: number) => ({ n: 10, p50: v, p90: v, p99: v, max: v });
    const prober = (name: 'agent' | 'blackbox', added: number) => ({
      prober: name,
      label: name,
      n: 600,
      failed: 0,
      unmatched: 0,
      expected: 600,
      cpuCores: 0.1,
      probesPerSecond: 20,
      skipped: 0,
      summary: { added: q(added), processing: q(50 + added), hold: q(50), jitter: q(0.5) },
    });
    const window = (round: number, added: number): TimingWindow => ({
      scenario: 'quiet',
      round,
      others: 0,
      simultaneous: true,
      seconds: 30,
      probers: [prober('agent', added), prober('blackbox', 2 * added)],
      cpu: { holdTarget: 0, fastTarget: 0, driver: 0, other: 0 },
      loadAverage: 0,
      holdLogDropped: 0,
    });
    const windows = [window(1, 1), window(2, 3), window(3, 2)];
    assert.equal(windowTable(windows).split('\n').length, 2 + 6);
    const medians = medianRows(windows);
    assert.deepEqual(
      medians.map((m) => [m.scenario, m.prober, m.windows, m.addedP50, m.addedP99]),
      [
        ['quiet', 'agent', 3, 2, 2],
        ['quiet', 'blackbox', 3, 4, 4],
      ],
    );
  });
});

describe('a short real window on 127.0.0.1', { timeout: 60_000 }, () => {
  const HOLD_MS = 20;
  let holdTarget: Target;
  let fastTarget: Target;
  const workDir = mkdtempSync(join(tmpdir(), 'canary-bench-timing-test-'));
  before(async () => {
    holdTarget = await startHoldTarget(HOLD_MS);
    fastTarget = await startTarget();
  });
  after(async () => {
    await stop(holdTarget.process, 2_000);
    await stop(fastTarget.process, 2_000);
    rmSync(workDir, { recursive: true, force: true });
  });

  test('both probers (blackbox when installed) and the floor (python3 when found) measured, every probe paired with its hold', async () => {
    const blackbox = findBlackbox();
    const python = findPython();
    const ctx = {
      holdTarget,
      fastTarget,
      blackbox,
      python,
      timed: 3,
      holdMs: HOLD_MS,
      warmupMs: 1_000,
      windowMs: 2_000,
      workDir,
    };
    const window = await runWindow(ctx, { scenario: 'loaded', round: 1, others: 5, agent: true, blackbox: true });
    const expected = ['agent', ...(blackbox ? ['blackbox'] : []), ...(python ? ['floor'] : [])];
    assert.deepEqual(
      window.probers.map((p) => p.prober),
      expected,
    );
    assert.equal(window.simultaneous, blackbox !== undefined);
    for (const p of window.probers) {
      // 3 a second for 2 s; margins for a loaded machine.
      assert.ok(p.n >= 3 && p.n <= 9, `${p.prober} n=${p.n}`);
      assert.equal(p.failed + p.unmatched, 0, p.prober);
      // processing spans the hold, so what the prober adds is positive.
      assert.ok(p.summary.added.p50 > 0 && p.summary.processing.p50 > p.summary.hold.p50, p.prober);
      assert.ok(p.summary.hold.p50 >= HOLD_MS - 1, p.prober);
      // The floor's few requests may cost less than one clock tick of CPU.
      assert.ok((p.prober === 'floor' ? p.cpuCores >= 0 : p.cpuCores > 0) && p.probesPerSecond > 0, p.prober);
      assert.ok(p.expected >= 5 && p.expected <= 7, `${p.prober} expected ${p.expected}`);
    }
    const agent = window.probers[0];
    assert.ok(agent?.loopDelay && agent.loopDelay.max >= agent.loopDelay.p99 && agent.loopDelay.p99 >= 0);
    assert.equal(window.holdLogDropped, 0);
  });
});
