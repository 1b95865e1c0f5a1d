/**
 * The failback result, measured: the shipped staggered-failback.yaml and
 * failback-all-at-once.yaml run against a real lab (balancer, three backend processes, the
 * shared origin behind their caches) under the same bounded user load, and their journals
 * are compared. Bringing two cold backends back together sends two thirds of the traffic to
 * empty caches, which queue at the origin; one at a time, half and then a third. The
 * figures are printed for BENCHMARKS.md.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlServer } from '../../src/lab/process/control.js';
import { startLab } from '../../src/lab/process/supervisor.js';
import type { Journal } from '../../src/chaos/model/journal.js';
import { CliProcess } from '../helpers/cli.js';
import { repoRoot } from '../helpers/paths.js';

/** User traffic through the balancer: RATE per second, never more than MAX_REQUESTS, stopped with the run. */
const RATE = 60;
const MAX_REQUESTS = RATE * 150;

function startLoad(url: string): { stop(): Promise<void> } {
  let sent = 0;
  const inflight = new Set<Promise<unknown>>();
  const timer = setInterval(() => {
    if (sent >= MAX_REQUESTS) return;
    sent++;
    const p = fetch(url, { signal: AbortSignal.timeout(5_000) })
      .then((r) => r.arrayBuffer())
      .catch(() => undefined)
      .finally(() => inflight.delete(p));
    inflight.add(p);
  }, 1000 / RATE);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(inflight);
    },
  };
}

/** Warms every backend's cache before a run (the lab starts cold): 400 requests, 4 at a time. */
async function prewarm(url: string): Promise<void> {
  let left = 400;
  const worker = async () => {
    while (left-- > 0)
      await fetch(url, { signal: AbortSignal.timeout(10_000) })
        .then((r) => r.arrayBuffer())
        .catch(() => undefined);
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

interface Measured {
  status: string;
  waves: number;
  samples: number;
  errorRatio: number;
  worstP95: number;
}

/** Over every wave: the frontend's error ratio (sample-weighted) and the worst wave's p95. */
function measure(journal: Journal): Measured {
  const checks = (journal.waves ?? []).flatMap((w) =>
    w.checks.filter((c) => c.check === 'lab-frontend' && c.samples > 0),
  );
  const samples = checks.reduce((n, c) => n + c.samples, 0);
  const failed = checks.reduce((n, c) => n + c.samples * (1 - (c.successRatio ?? 0)), 0);
  return {
    status: journal.status,
    waves: journal.waves?.length ?? 0,
    samples,
    errorRatio: failed / samples,
    worstP95: Math.max(...checks.map((c) => c.p95 ?? 0)),
  };
}

test(
  'staggered failback keeps the frontend error ratio and p95 below all-at-once (same lab, same load)',
  { timeout: 300_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'canary-failback-'));
    // A cold backend misses its cache for its first 100 requests; the origin fills one at a time, 30 ms each.
    const running = await startLab({
      dir,
      backends: 3,
      basePort: 0,
      warmup: { requests: 100, delayMs: 0 },
      origin: { fillMs: 30, missRatio: 0.05 },
    });
    const control = await startControlServer(running.lab, '127.0.0.1', 0);
    t.after(async () => {
      await control.close();
      await running.lab.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    const config = join(dir, 'agent.yaml');
    writeFileSync(
      config,
      [
        'agent: { region: failback-test }',
        'server: { listen: 127.0.0.1:0 }',
        'chaos: { enabled: true, stateDir: state }',
        'checks:',
        `  - { name: lab-frontend, kind: http, target: "${running.balancer.url}/", interval: 500ms, timeout: 500ms }`,
      ].join('\n'),
    );
    const results: Record<string, Measured> = {};
    for (const name of ['failback-all-at-once', 'staggered-failback']) {
      await prewarm(`${running.balancer.url}/`);
      const load = startLoad(`${running.balancer.url}/`);
      const runner = new CliProcess(
        [
          'chaos',
          'run',
          join(repoRoot, 'chaos', `${name}.yaml`),
          '--config',
          config,
          '--json',
          '--operator',
          'failback-test',
        ],
        { CANARY_LAB_CONTROL: control.url },
      );
      try {
        const { code } = await runner.exited;
        const out = runner.lines.join('\n');
        assert.ok(
          out.startsWith('{'),
          `${name}: exit ${code}, no journal: ${out.slice(0, 500)} ${runner.stderr.slice(-2000)}`,
        );
        const journal = JSON.parse(out) as Journal;
        assert.ok(
          journal.waves && journal.waves.length > 0,
          `${name}: no failback waves journaled (exit ${code}): ${runner.stderr.slice(-2000)}`,
        );
        results[name] = measure(journal);
      } finally {
        await runner.kill();
        await load.stop();
      }
      // Every backend runs again before the next run: the failback (or its rollback) brought them back.
      assert.deepEqual(
        running.lab
          .list()
          .filter((p) => !p.alive)
          .map((p) => p.name),
        [],
        `${name}: a lab process is still down`,
      );
    }
    const stag = results['staggered-failback'] as Measured;
    const all = results['failback-all-at-once'] as Measured;
    // For BENCHMARKS.md: same lab, same load, same run.
    console.log(`failback figures: ${JSON.stringify(results)}`);
    assert.equal(all.waves, 1);
    assert.equal(stag.waves, 2);
    assert.ok(
      stag.errorRatio <= all.errorRatio,
      `error ratio: staggered ${stag.errorRatio} vs all-at-once ${all.errorRatio}`,
    );
    assert.ok(
      stag.worstP95 < all.worstP95,
      `worst wave p95: staggered ${stag.worstP95} s vs all-at-once ${all.worstP95} s`,
    );
  },
);
