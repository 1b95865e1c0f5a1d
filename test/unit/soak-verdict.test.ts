/**
 * The soak test's arithmetic and inputs: the slope, the medians, the growth verdict on
 * noisy series, the table over time, the command line, and the generated config.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import {
  afterWarmup,
  median,
  overTime,
  RULES,
  seriesVerdict,
  slope,
  verdict,
  warmupSeconds,
  type SoakSample,
} from '../bench/soak/stats.js';
import { parseSoakOptions, sampleIntervalMs, SoakUsageError } from '../bench/soak/options.js';
import { agentConfig, hostileCounts, probeFile } from '../bench/soak/config.js';
import type { HostileTarget } from '../bench/soak/hostile.js';

const MiB = 2 ** 20;

/** A deterministic wobble in [-1, 1], so "noise" is the same in every run. */
function wobble(i: number): number {
  return Math.sin(i * 1.7) * Math.cos(i * 0.31);
}

/** One hour sampled every 15 s: `at(t)` gives each series at t seconds. */
function hour(at: (t: number, i: number) => Omit<SoakSample, 't'>): SoakSample[] {
  return Array.from({ length: 241 }, (_, i) => ({ t: i * 15, ...at(i * 15, i) }));
}

const flat = (t: number, i: number): Omit<SoakSample, 't'> => ({
  rssBytes: 120 * MiB + wobble(i) * 6 * MiB,
  // A sawtooth as garbage collection makes it: up 20 MiB, then back.
  heapUsedBytes: 35 * MiB + (i % 8) * 2.5 * MiB,
  fds: 30 + Math.round(wobble(i) * 10),
  sockets: 12 + Math.round(wobble(i + 3) * 10),
});

test('median and least-squares slope', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
  assert.equal(
    slope([
      { x: 0, y: 1 },
      { x: 1, y: 3 },
      { x: 2, y: 5 },
    ]),
    2,
  );
  assert.equal(slope([{ x: 1, y: 1 }]), 0);
  assert.equal(
    slope([
      { x: 1, y: 1 },
      { x: 1, y: 5 },
    ]),
    0,
  );
});

test('the warm-up is 20% of the run, at least 2 minutes, at most half of it', () => {
  assert.equal(warmupSeconds(3600), 720);
  assert.equal(warmupSeconds(600), 120);
  assert.equal(warmupSeconds(120), 60);
  const samples = hour(flat);
  assert.ok(afterWarmup(samples, 3600).every((s) => s.t >= 720));
  assert.equal(afterWarmup(samples, 3600).length, 241 - 48);
});

test('a flat but noisy hour passes on every series, a warm-up climb included', () => {
  // The first 10 minutes climb by 40 MiB, as the agent's RSS does while it settles.
  const samples = hour((t, i) => ({
    ...flat(t, i),
    rssBytes: flat(t, i).rssBytes + Math.min(t, 600) * (40 / 600) * MiB,
  }));
  const result = verdict(samples, 3600);
  assert.equal(result.failed, false, JSON.stringify(result.series, null, 2));
  assert.deepEqual(
    result.series.map((s) => s.verdict),
    ['ok', 'ok', 'ok', 'ok'],
  );
});

test('memory that keeps growing fails; a passing spike near the end does not', () => {
  const leaking = hour((t, i) => ({ ...flat(t, i), heapUsedBytes: flat(t, i).heapUsedBytes + (t / 3600) * 20 * MiB }));
  const heap = verdict(leaking, 3600).series.find((s) => s.series === 'heapUsedBytes');
  assert.equal(heap?.verdict, 'growth', heap?.reason);
  assert.ok((heap?.slopePerHour ?? 0) > 15 * MiB);
  assert.equal(verdict(leaking, 3600).failed, true);

  // 30 MiB more for three minutes (a burst of work), then back: the last quarter's median barely moves.
  const spike = hour((t, i) => ({
    ...flat(t, i),
    rssBytes: flat(t, i).rssBytes + (t > 3300 && t <= 3480 ? 30 * MiB : 0),
  }));
  const rss = seriesVerdict('rssBytes', afterWarmup(spike, 3600), RULES.rssBytes);
  assert.equal(rss.verdict, 'ok', rss.reason);
});

test('descriptors and sockets fail when their level keeps rising past the allowance', () => {
  // One socket more every two minutes: 30 more by the end of the hour.
  const leaking = hour((t, i) => ({ ...flat(t, i), sockets: flat(t, i).sockets + Math.floor(t / 120) }));
  const sockets = verdict(leaking, 3600).series.find((s) => s.series === 'sockets');
  assert.equal(sockets?.verdict, 'growth', sockets?.reason);
  const fds = verdict(leaking, 3600).series.find((s) => s.series === 'fds');
  assert.equal(fds?.verdict, 'ok');
});

test('too few samples, or too short a stretch after the warm-up, are reported, not judged', () => {
  const few = hour(flat).slice(0, 52);
  const result = verdict(few, 3600);
  assert.ok(result.series.every((s) => s.verdict === 'not-judged'));
  assert.equal(result.failed, false);
  // Two minutes sampled every 3 s with the heap climbing fast: plenty of samples, too short to tell.
  const short = Array.from({ length: 41 }, (_, i) => ({ ...flat(i * 3, i), t: i * 3, heapUsedBytes: (30 + i) * MiB }));
  const judged = verdict(short, 120);
  assert.equal(judged.series.find((s) => s.series === 'heapUsedBytes')?.verdict, 'not-judged');
  assert.equal(judged.failed, false);
});

test('the table over time: medians per stretch, empty stretches left out', () => {
  const rows = overTime(hour(flat), 3600);
  assert.equal(rows.length, 12);
  assert.deepEqual(rows.map((r) => [r.from, r.to]).slice(0, 2), [
    [0, 300],
    [300, 600],
  ]);
  assert.equal(rows.at(-1)?.to, 3600);
  assert.equal(
    rows.reduce((n, r) => n + r.samples, 0),
    241,
  );
  assert.equal(overTime(hour(flat).slice(0, 10), 3600).length, 1);
});

test('soak options: durations, checks, json, help, and clear errors', () => {
  assert.deepEqual(parseSoakOptions([]), { durationMs: 600_000, checks: 1000, json: false });
  assert.deepEqual(parseSoakOptions(['--duration', '1h', '--checks', '200', '--json']), {
    durationMs: 3_600_000,
    checks: 200,
    json: true,
  });
  assert.equal(parseSoakOptions(['--duration', '30s'])?.durationMs, 30_000);
  assert.equal(parseSoakOptions(['--help']), undefined);
  assert.throws(() => parseSoakOptions(['--duration', '10']), SoakUsageError);
  assert.throws(() => parseSoakOptions(['--duration', '5s']), /at least 30s/);
  assert.throws(() => parseSoakOptions(['--checks', '12.5']), /--checks/);
  assert.throws(() => parseSoakOptions(['--nope']), SoakUsageError);
  assert.equal(sampleIntervalMs(3_600_000), 15_000);
  assert.equal(sampleIntervalMs(120_000), 3_000);
});

const HOSTILE: HostileTarget[] = [
  { kind: 'hang', checkKind: 'http', target: 'http://127.0.0.1:1/hang' },
  { kind: 'closed', checkKind: 'tcp', target: '127.0.0.1:2' },
];

test('the agent config holds exactly the asked number of checks with the probe file, one in ten hostile', () => {
  const text = agentConfig({
    total: 1000,
    targets: { healthy: 'http://127.0.0.1:3', hostile: HOSTILE, labFrontend: 'http://127.0.0.1:4' },
    intervalS: 20,
    listen: '127.0.0.1:5',
    probeFile: 'probes.yaml',
    stateDir: 'state',
  });
  const config = parse(text) as { checks: { name: string; kind: string }[]; chaos: { enabled: boolean } };
  const inProbeFile = (parse(probeFile(1, 'http://127.0.0.1:3')) as { checks: unknown[] }).checks.length;
  assert.equal(config.checks.length + inProbeFile, 1000);
  assert.equal(new Set(config.checks.map((c) => c.name)).size, config.checks.length, 'names are unique');
  assert.equal(config.chaos.enabled, true);
  assert.deepEqual(hostileCounts(1000, HOSTILE), { hang: 50, closed: 49 });
  assert.equal(config.checks.filter((c) => c.kind === 'tcp').length, 49);
});

test('each probe-file rewrite differs from the last: a label flips, a check comes and goes', () => {
  const read = (n: number) => parse(probeFile(n, 'http://127.0.0.1:3')) as { checks: { labels?: { flip: string } }[] };
  assert.equal(read(0).checks.length, 1);
  assert.equal(read(1).checks.length, 2);
  assert.notEqual(read(0).checks[0]?.labels?.flip, read(1).checks[0]?.labels?.flip);
  assert.notEqual(probeFile(2, 'x'), probeFile(3, 'x'));
});
