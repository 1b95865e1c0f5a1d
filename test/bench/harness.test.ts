/**
 * Tests of the benchmark harness itself: the parsers it trusts for every number, the
 * pacer that sets the load, the generated agent config, and one short real window
 * (target + raw undici prober on 127.0.0.1).
 *
 * Not part of `npm test` (test/run.ts leaves test/bench out); run with
 *   npm run build && node --test dist/test/bench/
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { agentConfig, benchAgent } from './agent-run.js';
import { benchBlackbox, findBlackbox } from './blackbox-run.js';
import { stop } from './children.js';
import { startTarget, type Target } from './ipc.js';
import { parseOptions } from './options.js';
import { Pacer, spreadOffsets } from './pacer.js';
import { cpuSeconds, memory, parseCpuSeconds, parseMinorFaults, parseStatusBytes, statCounters } from './proc.js';
import { moduleOf, summarise } from './profile.js';
import { histogram, histogramDelta, parseLine, quantileUpperBound, sum } from './prom-text.js';
import { ratios, spread } from './report.js';
import { benchRawUndici } from './undici-run.js';

describe('proc', () => {
  test('reads utime+stime after a command name with spaces and parentheses', () => {
    const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 11 0 100 0 0';
    assert.equal(parseCpuSeconds(stat, 100), 3);
    assert.equal(parseMinorFaults(stat), 1000);
  });

  test('minor page faults grow when this process touches new memory', () => {
    const before = statCounters(process.pid).minorFaults;
    const fresh = Buffer.allocUnsafeSlow(16 * 1024 * 1024);
    fresh.fill(1); // 4,096 pages touched for the first time
    const faults = statCounters(process.pid).minorFaults - before;
    assert.ok(faults >= 1_000, `${faults} faults`);
  });

  test('CPU seconds of this process grow while it spins', () => {
    const before = cpuSeconds(process.pid);
    const until = performance.now() + 200;
    while (performance.now() < until); // burn 200 ms of CPU
    assert.ok(cpuSeconds(process.pid) - before >= 0.1);
  });

  test('reads kB fields of /proc/PID/status as bytes', () => {
    const status = 'Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n';
    assert.equal(parseStatusBytes(status, 'VmRSS'), 100 * 1024 * 1024);
    assert.equal(parseStatusBytes(status, 'VmHWM'), 200 * 1024 * 1024);
    assert.equal(parseStatusBytes(status, 'VmSwap'), undefined);
    const mem = memory(process.pid);
    assert.ok(mem.rss > 1024 * 1024 && mem.peak >= mem.rss);
  });
});

describe('prometheus text', () => {
  const text = [
    '# HELP canary_probe_runs_total Check runs',
    '# TYPE canary_probe_runs_total counter',
    'canary_probe_runs_total{result="success",reason="",check="a",kind="http",region="r"} 10',
    'canary_probe_runs_total{result="success",reason="",check="b",kind="http",region="r"} 5',
    'canary_probe_runs_total{result="failure",reason="connect",check="b",kind="http",region="r"} 2',
    'canary_probe_runs_total_other 99',
    'lag_bucket{kind="http",le="0.01"} 90',
    'lag_bucket{kind="http",le="0.1"} 99',
    'lag_bucket{kind="http",le="+Inf"} 100',
    'lag_sum{kind="http"} 1.5',
    'lag_count{kind="http"} 100',
  ].join('\n');

  test('parses labels, escaped quotes and a trailing timestamp', () => {
    assert.deepEqual(parseLine('m{a="x \\"y\\"",b="z"} 3 1700000000'), {
      name: 'm',
      labels: { a: 'x "y"', b: 'z' },
      value: 3,
    });
    assert.deepEqual(parseLine('plain 4.5'), { name: 'plain', labels: {}, value: 4.5 });
    assert.equal(parseLine('# TYPE m counter'), undefined);
  });

  test('sums a metric by label filter, ignoring longer names with the same prefix', () => {
    assert.equal(sum(text, 'canary_probe_runs_total'), 17);
    assert.equal(sum(text, 'canary_probe_runs_total', { result: 'success' }), 15);
    assert.equal(sum(text, 'canary_probe_runs_total', { result: 'failure', reason: 'connect' }), 2);
  });

  test('a histogram delta and the bucket holding a quantile', () => {
    const later = text
      .replace('le="0.01"} 90', 'le="0.01"} 190')
      .replace('le="0.1"} 99', 'le="0.1"} 199')
      .replace('le="+Inf"} 100', 'le="+Inf"} 200')
      .replace('lag_count{kind="http"} 100', 'lag_count{kind="http"} 200');
    const delta = histogramDelta(histogram(text, 'lag'), histogram(later, 'lag'));
    assert.equal(delta.count, 100);
    assert.equal(quantileUpperBound(delta, 0.5), 0.01);
    assert.equal(quantileUpperBound(histogram(text, 'lag'), 0.95), 0.1);
    assert.equal(quantileUpperBound(histogram(text, 'lag'), 0.999), Infinity);
    assert.equal(quantileUpperBound(histogram('', 'lag'), 0.5), undefined);
  });
});

describe('pacer', () => {
  function fakePacer(slots: number, periodMs: number, maxInFlight: number, settle: boolean) {
    let now = 0;
    const fired: number[] = [];
    const pacer = new Pacer({
      slots,
      periodMs,
      seed: 7,
      maxInFlight,
      maxDurationMs: 10_000,
      now: () => now,
      fire: (i) => {
        fired.push(i);
        return settle ? Promise.resolve(i % 10 !== 0) : new Promise<boolean>(() => {});
      },
    });
    pacer.start();
    pacer.stop(); // driven by hand with the fake clock
    return { pacer, fired, advance: (ms: number) => (now += ms) };
  }

  test('offsets are spread over the period, repeatable by seed', () => {
    const a = spreadOffsets(1000, 1000, 42);
    assert.deepEqual(a, spreadOffsets(1000, 1000, 42));
    assert.notDeepEqual(a, spreadOffsets(1000, 1000, 43));
    assert.ok(a.every((s) => s.offset >= 0 && s.offset < 1000));
    // Uniform: each tenth of the period holds about a tenth of the slots.
    for (let tenth = 0; tenth < 10; tenth++) {
      const n = a.filter((s) => Math.floor(s.offset / 100) === tenth).length;
      assert.ok(n > 50 && n < 150, `tenth ${tenth}: ${n}`);
    }
  });

  test('fires every slot once per period at its offset, and counts outcomes', async () => {
    const { pacer, fired, advance } = fakePacer(1000, 1000, 50, true);
    const order = spreadOffsets(1000, 1000, 7);
    for (let step = 1; step <= 200; step++) {
      advance(10);
      pacer.tick();
      const t = step * 10;
      // Slot at `offset` is due at offset, offset + 1000, ...: that many times by t.
      const due = order.reduce((n, s) => n + (t >= s.offset ? Math.floor((t - s.offset) / 1000) + 1 : 0), 0);
      assert.equal(fired.length, due, `at ${t} ms`);
      // Let the settled requests free their in-flight slots, as the event loop would.
      await new Promise((resolve) => setImmediate(resolve));
    }
    // By 2000 ms the slots at offset 0 have come round a third time.
    const third = order.filter((s) => s.offset === 0).length;
    assert.equal(fired.length, 2000 + third);
    fired.splice(2000);
    const perIndex = new Map<number, number>();
    for (const i of fired) perIndex.set(i, (perIndex.get(i) ?? 0) + 1);
    assert.ok([...perIndex.values()].every((n) => n === 2) && perIndex.size === 1000);
    assert.equal(pacer.counts.success + pacer.counts.failure, 2000 + third);
    assert.equal(pacer.counts.missed, 0);
  });

  test('counts slots beyond the in-flight cap as missed instead of queueing them', () => {
    const { pacer, fired, advance } = fakePacer(100, 100, 5, false);
    advance(100);
    pacer.tick();
    assert.equal(fired.length, 5);
    assert.equal(pacer.counts.missed, 95);
    assert.equal(pacer.counts.inFlight, 5);
  });

  test('a loop stalled for periods skips what it missed instead of bursting', () => {
    const { pacer, fired, advance } = fakePacer(100, 100, 1000, true);
    advance(350);
    pacer.tick();
    // At most one period's slots per tick, and those more than a period late are dropped.
    assert.ok(fired.length <= 100);
    assert.equal(fired.length + pacer.counts.missed, 100);
  });

  test('stops by itself at its deadline', () => {
    const { pacer, fired, advance } = fakePacer(100, 100, 1000, true);
    advance(10_000);
    assert.equal(pacer.tick(), Infinity);
    assert.equal(fired.length, 0);
  });
});

describe('report and profile', () => {
  test('spread and paired ratios', () => {
    assert.deepEqual(spread([3, 1, 2]), { median: 2, min: 1, max: 3 });
    assert.deepEqual(spread([4, 1, 2, 3]), { median: 2.5, min: 1, max: 4 });
    const result = (name: string, probesPerCpuSecond: number) =>
      ({ name, label: name, notes: {}, window: { probesPerCpuSecond } }) as never;
    const r = ratios([
      [result('agent', 2000), result('agent-traced', 1500), result('blackbox', 1000), result('undici', 4000)],
    ]);
    assert.deepEqual(r, { agentToBlackbox: [2], agentToUndici: [0.5], tracedToAgent: [0.75] });
  });

  test('self time by module and function, idle left out', () => {
    const node = (id: number, functionName: string, url: string) => ({
      id,
      callFrame: { functionName, url, lineNumber: 0 },
    });
    const profile = {
      startTime: 1_000,
      nodes: [
        node(1, '(idle)', ''),
        node(2, 'dispatch', 'file:///x/node_modules/undici/lib/client.js'),
        node(3, 'fire', 'file:///x/dist/src/scheduler/scheduler.js'),
        node(4, '(garbage collector)', ''),
      ],
      samples: [1, 2, 2, 3, 4],
      timeDeltas: [5000, 3000, 3000, 2000, 2000],
    };
    const summary = summarise(profile);
    assert.equal(summary.idleMs, 5);
    assert.equal(summary.busyMs, 10);
    assert.deepEqual(
      summary.modules.map((m) => [m.name, m.share]),
      [
        ['undici', 0.6],
        ['src/scheduler', 0.2],
        ['(garbage collector)', 0.2],
      ],
    );
    // Samples fall at 6, 9, 12, 14 and 16 ms; only the two undici ones are in the range.
    const cut = summarise(profile, 20, [8_000, 13_000]);
    assert.equal(cut.busyMs, 6);
    assert.deepEqual(
      cut.modules.map((m) => m.name),
      ['undici'],
    );
    assert.equal(moduleOf('node:internal/http/client', 'x'), 'node:http');
    assert.equal(moduleOf('node:internal/deps/undici/undici', 'x'), 'node:deps/undici');
    assert.equal(moduleOf('file:///r/node_modules/@scope/pkg/index.js', 'x'), '@scope/pkg');
  });
});

describe('options', () => {
  test('defaults, --quick, and refusals', () => {
    const defaults = parseOptions([]);
    assert.equal(defaults?.windowS, 30);
    assert.equal(defaults?.checks, 1000);
    assert.equal(defaults?.scrapeIntervalS, 15);
    assert.deepEqual([...(defaults?.only ?? [])], ['agent', 'traced', 'blackbox', 'undici', 'big', 'timing', 'page']);
    assert.equal(defaults?.pageChecks, 10_000);
    assert.equal(defaults?.bigLevel, 'full');
    assert.deepEqual([defaults?.timingWindowS, defaults?.timingOthers, defaults?.timingSequential], [30, 1000, true]);
    const quick = parseOptions(['--quick', '--window', '7', '--only', 'agent,undici']);
    assert.equal(quick?.windowS, 7);
    assert.equal(quick?.warmupS, 3);
    assert.deepEqual([...(quick?.only ?? [])], ['agent', 'undici']);
    assert.equal(parseOptions(['--help']), undefined);
    assert.throws(() => parseOptions(['--only', 'agent,prometheus']), /unknown phase prometheus/);
    assert.throws(() => parseOptions(['--rate', '0']), /--rate must be a number >= 1/);
    assert.equal(quick?.timingWindowS, 5);
    const timing = parseOptions([
      '--big-level',
      'basic',
      '--timing-window',
      '12',
      '--timing-others',
      '0',
      '--timing-together',
    ]);
    assert.deepEqual(
      [timing?.bigLevel, timing?.timingWindowS, timing?.timingOthers, timing?.timingSequential],
      ['basic', 12, 0, false],
    );
    assert.throws(() => parseOptions(['--big-level', 'some']), /--big-level must be full or basic/);
    assert.throws(() => parseOptions(['--timing-sequential', '--timing-together']), /contradict/);
  });
});

describe('generated agent config', () => {
  test('loads through the real config loader: N checks, distinct targets, the interval asked for', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'canary-bench-test-'));
    try {
      const file = join(dir, 'agent.yaml');
      writeFileSync(
        file,
        stringify(agentConfig('http://127.0.0.1:9', 250, 2.5, '127.0.0.1:0', { metricsLevel: 'basic' })),
      );
      const config = await loadConfig(file);
      assert.equal(config.exporters.prometheus.metrics, 'basic');
      assert.equal(config.checks.length, 250);
      assert.equal(new Set(config.checks.map((c) => c.target)).size, 250);
      assert.deepEqual(config.checks[0]?.schedule, { kind: 'interval', everyMs: 2500 });
      assert.equal(config.exporters.log.level, 'warn');
      assert.equal(config.probes.seed, 1234);
      assert.equal(config.exporters.prometheus.renderThread, false, 'the agent’s default unless asked');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('BENCH_RENDER_THREAD sets exporters.prometheus.renderThread, and a wrong value is refused', () => {
    const saved = process.env.BENCH_RENDER_THREAD;
    try {
      process.env.BENCH_RENDER_THREAD = 'true';
      const config = agentConfig('http://127.0.0.1:9', 2, 1, '127.0.0.1:0') as {
        exporters: { prometheus?: { renderThread?: boolean } };
      };
      assert.equal(config.exporters.prometheus?.renderThread, true);
      process.env.BENCH_RENDER_THREAD = 'sometimes';
      assert.throws(() => agentConfig('http://127.0.0.1:9', 2, 1, '127.0.0.1:0'), /BENCH_RENDER_THREAD/);
    } finally {
      if (saved === undefined) delete process.env.BENCH_RENDER_THREAD;
      else process.env.BENCH_RENDER_THREAD = saved;
    }
  });
});

describe('a short real window on 127.0.0.1', { timeout: 60_000 }, () => {
  let target: Target;
  const workDir = mkdtempSync(join(tmpdir(), 'canary-bench-test-'));
  const shared = () => ({ target, checks: 50, rate: 200, warmupMs: 500, settleMs: 200, windowMs: 2_000, workDir });

  before(async () => {
    target = await startTarget();
  });
  after(async () => {
    await stop(target.process, 2_000);
    rmSync(workDir, { recursive: true, force: true });
  });

  test('raw undici: the target counts the probes, the prober reports them all successful', async () => {
    const result = await benchRawUndici(shared());
    const w = result.window;
    // 200/s for about 2 s; wide margins for a loaded machine.
    assert.ok(w.probes > 150 && w.probes < 600, `probes ${w.probes}`);
    assert.equal(w.successRatio, 1);
    assert.ok(w.cpuCores > 0 && w.probesPerCpuSecond > 0);
    assert.ok(w.rssMax > 0);
  });

  test('agent: `canary run` on a generated config, probes counted at the target, all successful', async () => {
    const result = await benchAgent({
      ...shared(),
      name: 'agent-test',
      intervalSeconds: 0.25,
      scrapeIntervalMs: 1_000,
    });
    const w = result.window;
    assert.ok(w.probes > 150 && w.probes < 600, `probes ${w.probes}`);
    assert.equal(w.successRatio, 1);
    assert.equal(result.notes.failureReasons, '{}');
    // Scrapes at 0.5 s and 1.5 s of the 2 s window.
    assert.equal(result.notes.scrapesInWindow, 2);
    assert.ok(Number(result.notes.metricsBytes) > 10_000);
  });

  test('blackbox_exporter: driven over HTTP, every probe_success 1', async (t) => {
    const binary = findBlackbox();
    if (!binary) return t.skip('prometheus-blackbox-exporter not found');
    const result = await benchBlackbox(binary, shared());
    assert.ok(result.window.probes > 150, `probes ${result.window.probes}`);
    assert.equal(result.window.successRatio, 1);
    assert.match(String(result.notes.version), /^\d+\.\d+/);
  });
});
