/**
 * One run of one check (src/run/check.ts): attempts published as they end, then the trace
 * closed and the run's result published once, carrying the trace ids.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResolvedCheck } from '../../src/config/types.js';
import { ProbeRegistry } from '../../src/probes/registry.js';
import type { Probe } from '../../src/probes/types.js';
import { EventBus } from '../../src/results/bus.js';
import type { CheckResult, Observation } from '../../src/results/types.js';
import { checkRunner, type RunSpan } from '../../src/run/check.js';
import { makeHttpCheck } from '../helpers/checks.js';

/** An http probe that answers from a list, one observation per attempt. */
function scripted(observations: Observation[]): Probe {
  return {
    kind: 'http',
    run: () => {
      const next = observations.shift();
      if (!next) throw new Error('more attempts than scripted');
      return Promise.resolve(next);
    },
  };
}

const failed: Observation = {
  ok: false,
  reason: 'refused',
  message: 'connect ECONNREFUSED',
  durationSeconds: 0.01,
  phases: {},
};
const passed: Observation = {
  ok: true,
  durationSeconds: 0.02,
  phases: {},
  http: {
    status: 200,
    version: '1.1',
    redirects: 0,
    finalUrl: 'http://127.0.0.1:9/',
    headers: {},
    bodyBytes: 0,
    ssl: false,
  },
};

test('a run publishes each attempt, then its result once, linked to its trace', async () => {
  const bus = new EventBus();
  const events: [string, CheckResult][] = [];
  bus.on('result.attempt', (r) => events.push(['result.attempt', r]));
  bus.on('result', (r) => events.push(['result', r]));
  const traced: string[] = [];
  const span: RunSpan = {
    headers: { traceparent: '00-aa-bb-01' },
    retry: (r) => (traced.push(`retry after attempt ${r.attempt}`), undefined),
    end: (r) => (traced.push(`end after attempt ${r.attempt}`), { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) }),
  };
  const tracer = { begin: (c: ResolvedCheck) => (traced.push(`begin ${c.name}`), span) };
  const probes = new ProbeRegistry().register(scripted([failed, passed]));
  const run = checkRunner({ bus, region: 'eu-west-1', probes, workers: undefined, tracer: () => tracer });
  const check = makeHttpCheck(
    { name: 'flaky', target: 'http://127.0.0.1:9/' },
    { retries: { count: 2, backoffMs: 1 } },
  );

  await run(check, { signal: new AbortController().signal, deadline: Date.now() + 60_000 });

  assert.deepEqual(
    events.map(([event, r]) => `${event} ${r.attempt} ${r.ok}`),
    ['result.attempt 1 false', 'result.attempt 2 true', 'result 2 true'],
  );
  assert.deepEqual(traced, ['begin flaky', 'retry after attempt 1', 'end after attempt 2']);
  const result = events[2]?.[1];
  assert.equal(result?.traceId, 'a'.repeat(32));
  assert.equal(result?.spanId, 'b'.repeat(16));
  assert.equal(result?.region, 'eu-west-1');
});

test('without tracing a run publishes its result with no trace ids', async () => {
  const bus = new EventBus();
  const results: CheckResult[] = [];
  bus.on('result', (r) => results.push(r));
  const probes = new ProbeRegistry().register(scripted([failed]));
  const run = checkRunner({ bus, region: 'eu-west-1', probes, workers: undefined, tracer: () => undefined });

  await run(makeHttpCheck({ name: 'down', target: 'http://127.0.0.1:9/' }, { retries: { count: 0, backoffMs: 0 } }), {
    signal: new AbortController().signal,
    deadline: Date.now() + 60_000,
  });

  assert.equal(results.length, 1);
  assert.equal(results[0]?.ok, false);
  assert.equal(results[0]?.reason, 'refused');
  assert.equal(results[0]?.traceId, undefined);
});
