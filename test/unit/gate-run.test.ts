import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResolvedCheck } from '../../src/config/types.js';
import { runGate } from '../../src/gate/run.js';
import { ProbeRegistry } from '../../src/probes/registry.js';
import type { ProbeContext } from '../../src/probes/types.js';
import type { Observation } from '../../src/results/types.js';
import { makeHttpCheck } from '../helpers/checks.js';

/** A probe that answers from `answer` (after `delayMs`, or when aborted), counting calls per check. */
function fakeProbes(
  answer: (check: string, n: number) => number,
  delayMs = 0,
): { probes: ProbeRegistry; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const probes = new ProbeRegistry().register({
    kind: 'http',
    async run(check: ResolvedCheck, ctx: ProbeContext): Promise<Observation> {
      const n = (calls.get(check.name) ?? 0) + 1;
      calls.set(check.name, n);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        ctx.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
      if (ctx.signal.aborted) return { ok: false, reason: 'aborted', durationSeconds: 0, phases: {} };
      const status = answer(check.name, n);
      return {
        ok: true,
        durationSeconds: 0.001,
        phases: {},
        http: { status, version: '1.1', redirects: 0, finalUrl: check.target, headers: {}, bodyBytes: 0, ssl: false },
      };
    },
  });
  return { probes, calls };
}

const a = makeHttpCheck({ name: 'a', target: 'http://127.0.0.1:1/a' });
const b = makeHttpCheck({ name: 'b', target: 'http://127.0.0.1:1/b' });

test('run: each check runs exactly --runs times through the assertion pipeline', async () => {
  const { probes, calls } = fakeProbes((check, n) => (check === 'b' && n % 2 === 0 ? 503 : 200));
  const seen: string[] = [];
  const run = await runGate(
    [a, b],
    { runs: 4, intervalMs: 1 },
    { probes, region: 'test', concurrency: 8, onResult: (r) => seen.push(r.check) },
  );
  assert.equal(run.interrupted, false);
  assert.deepEqual([calls.get('a'), calls.get('b')], [4, 4]);
  assert.deepEqual(
    run.results.get('a')?.map((r) => r.ok),
    [true, true, true, true],
  );
  assert.deepEqual(
    run.results.get('b')?.map((r) => r.ok),
    [true, false, true, false],
  );
  assert.equal(run.results.get('b')?.[1]?.reason, 'http_status');
  assert.equal(seen.length, 8);
});

test('run: --duration keeps starting attempts until the deadline, then stops', async () => {
  const { probes } = fakeProbes(() => 200);
  const started = Date.now();
  const run = await runGate([a], { durationMs: 150, intervalMs: 20 }, { probes, region: 'test', concurrency: 1 });
  const took = Date.now() - started;
  const count = run.results.get('a')?.length ?? 0;
  assert.ok(count >= 2 && count <= 9, `attempts: ${count}`);
  assert.ok(took >= 150, `stopped after ${took} ms`);
  assert.equal(run.interrupted, false);
});

test('run: a stop ends the run early; attempts cut short are not counted', async () => {
  const { probes, calls } = fakeProbes(() => 200, 30);
  const stop = new AbortController();
  const done = new Map<string, number>();
  // Stopped once both checks have finished attempts, with hundreds still due: a stop mid-run.
  const onResult = (r: { check: string }): void => {
    done.set(r.check, (done.get(r.check) ?? 0) + 1);
    if ((done.get('a') ?? 0) >= 2 && (done.get('b') ?? 0) >= 2) stop.abort();
  };
  const run = await runGate(
    [a, b],
    { runs: 1_000, intervalMs: 10 },
    { probes, region: 'test', concurrency: 8, signal: stop.signal, onResult },
  );
  assert.equal(run.interrupted, true);
  for (const name of ['a', 'b']) {
    const list = run.results.get(name) ?? [];
    assert.ok(list.length >= 1 && list.length < 1_000, `${name}: ${list.length}`);
    assert.ok(
      list.every((r) => r.ok),
      'no aborted attempt is counted',
    );
    assert.ok((calls.get(name) ?? 0) <= list.length + 1, 'at most the one in flight was dropped');
  }
});

test('run: a stop before the start runs nothing', async () => {
  const { probes, calls } = fakeProbes(() => 200);
  const run = await runGate(
    [a],
    { runs: 3, intervalMs: 10 },
    { probes, region: 'test', concurrency: 1, signal: AbortSignal.abort() },
  );
  assert.equal(run.interrupted, true);
  assert.deepEqual(run.results.get('a'), []);
  assert.equal(calls.size, 0);
});
