import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import type { ResolvedHttpCheck, RetryPolicy } from '../../src/config/types.js';
import { PrometheusSink } from '../../src/exporters/prometheus.js';
import { createProbeRegistry } from '../../src/probes/registry.js';
import { EventBus } from '../../src/results/bus.js';
import { executeWithRetries, type RetryDeps } from '../../src/run/retry.js';
import type { CheckResult } from '../../src/results/types.js';
import { sampleValue } from '../helpers/agent.js';
import { makeHttpCheck } from '../helpers/checks.js';
import { startHttpServer, type HttpTestServer } from '../helpers/servers.js';

const probes = createProbeRegistry();
after(() => probes.close());

/** A server that answers 503 to its first `failures` requests, then `ok` (or what `then` says), noting when each arrived. */
async function flakyServer(
  failures: number,
  then: (res: ServerResponse) => void = (res) => res.writeHead(200).end('ok'),
) {
  const arrivals: number[] = [];
  const server = await startHttpServer((_req, res) => {
    arrivals.push(performance.now());
    if (arrivals.length <= failures) res.writeHead(503).end('unavailable');
    else then(res);
  });
  return { server, arrivals };
}

function check(server: HttpTestServer, retries: RetryPolicy): ResolvedHttpCheck {
  return makeHttpCheck(
    { name: 'flaky', target: `${server.origin}/health`, expect: { body: [{ matches: '^ok$' }] } },
    { timeoutMs: 2_000, retries },
  );
}

/** One run as the agent makes it: attempts on the bus, then the run's result. */
async function run(
  c: ResolvedHttpCheck,
  bus: EventBus,
  deps: Partial<RetryDeps> = {},
): Promise<{ result: CheckResult; attempts: CheckResult[] }> {
  const attempts: CheckResult[] = [];
  const off = bus.on('result.attempt', (r) => attempts.push(r));
  const result = await executeWithRetries(
    c,
    probes.get('http'),
    { signal: AbortSignal.timeout(10_000) },
    { region: 'test', bus, ...deps },
  );
  off();
  bus.emit('result', result);
  return { result, attempts };
}

function sink(bus: EventBus): PrometheusSink {
  return new PrometheusSink({
    bus,
    region: 'test',
    agentLabels: {},
    version: '0.0.0',
    checks: [{ name: 'flaky', kind: 'http' }],
  });
}

test('a failure confirmed as a blip: retries 2 against a server failing once is one ok run of two attempts, the failed one counted', async () => {
  const { server } = await flakyServer(1);
  const bus = new EventBus();
  const metrics = sink(bus);
  try {
    const { result, attempts } = await run(check(server, { count: 2, backoffMs: 20 }), bus);
    assert.equal(result.ok, true);
    assert.equal(result.attempt, 2);
    assert.equal(result.reason, undefined);
    assert.equal(server.requests.length, 2);
    assert.deepEqual(
      attempts.map((a) => [a.attempt, a.ok, a.reason]),
      [
        [1, false, 'http_status'],
        [2, true, undefined],
      ],
    );

    const { body } = await metrics.metrics();
    const labels = { check: 'flaky', kind: 'http', region: 'test' };
    assert.equal(
      sampleValue(body, 'canary_probe_attempts_total', { ...labels, result: 'failure', reason: 'http_status' }),
      1,
    );
    assert.equal(sampleValue(body, 'canary_probe_attempts_total', { ...labels, result: 'success', reason: '' }), 1);
    assert.equal(sampleValue(body, 'canary_probe_runs_total', { ...labels, result: 'success', reason: '' }), 1);
    assert.equal(
      sampleValue(body, 'canary_probe_runs_total', { ...labels, result: 'failure' }),
      undefined,
      'no failed run',
    );
    assert.equal(sampleValue(body, 'probe_success', labels), 1);
  } finally {
    metrics.close();
    await server.close();
  }
});

test('a failure confirmed: a server that keeps failing fails the run after 3 attempts, with the last reason, spaced by the doubling backoff', async () => {
  // 503 twice, then a 200 whose body fails the expectation: the run's reason must be the last one.
  const { server, arrivals } = await flakyServer(2, (res) => res.writeHead(200).end('nope'));
  const bus = new EventBus();
  const metrics = sink(bus);
  try {
    const backoffMs = 100;
    const { result, attempts } = await run(check(server, { count: 2, backoffMs }), bus);
    assert.equal(result.ok, false);
    assert.equal(result.attempt, 3);
    assert.equal(result.reason, 'assertion');
    assert.deepEqual(
      attempts.map((a) => a.reason),
      ['http_status', 'http_status', 'assertion'],
    );
    assert.equal(arrivals.length, 3);
    const [first, second, third] = arrivals as [number, number, number];
    // Timers round to whole milliseconds; a little slack keeps this about order, not speed.
    assert.ok(second - first >= backoffMs - 2, `first retry after ${second - first}ms, backoff ${backoffMs}ms`);
    assert.ok(
      third - second >= 2 * backoffMs - 2,
      `second retry after ${third - second}ms, doubled backoff ${2 * backoffMs}ms`,
    );

    const { body } = await metrics.metrics();
    const labels = { check: 'flaky', kind: 'http' };
    assert.equal(sampleValue(body, 'canary_probe_attempts_total', { ...labels, reason: 'http_status' }), 2);
    assert.equal(sampleValue(body, 'canary_probe_attempts_total', { ...labels, reason: 'assertion' }), 1);
    assert.equal(sampleValue(body, 'canary_probe_attempts_total', { ...labels, result: 'success' }), 0);
    assert.equal(
      sampleValue(body, 'canary_probe_runs_total', { ...labels, result: 'failure', reason: 'assertion' }),
      1,
    );
    assert.equal(
      sampleValue(body, 'canary_probe_runs_total', { ...labels, reason: 'http_status' }),
      undefined,
      'earlier reasons are not the run verdict',
    );
  } finally {
    metrics.close();
    await server.close();
  }
});

test('retries 0 makes one attempt per run', async () => {
  const { server } = await flakyServer(5);
  const bus = new EventBus();
  try {
    const { result, attempts } = await run(check(server, { count: 0, backoffMs: 10 }), bus);
    assert.equal(result.ok, false);
    assert.equal(result.attempt, 1);
    assert.equal(result.reason, 'http_status');
    assert.equal(attempts.length, 1);
    assert.equal(server.requests.length, 1);
  } finally {
    await server.close();
  }
});

test('no retry is made when its backoff would reach the run deadline: the last failure stands', async () => {
  const { server } = await flakyServer(5);
  try {
    const { result } = await run(check(server, { count: 3, backoffMs: 5_000 }), new EventBus(), {
      deadline: Date.now() + 1_000,
    });
    assert.equal(result.attempt, 1);
    assert.equal(result.reason, 'http_status');
    assert.equal(server.requests.length, 1);
  } finally {
    await server.close();
  }
});

test('a run aborted during its backoff (agent stopping) ends at once with the failure it had', async () => {
  const { server } = await flakyServer(5);
  try {
    const controller = new AbortController();
    const c = check(server, { count: 2, backoffMs: 30_000 });
    const bus = new EventBus();
    bus.on('result.attempt', () =>
      setImmediate(() => controller.abort(new DOMException('agent stopping', 'AbortError'))),
    );
    const started = performance.now();
    const result = await executeWithRetries(
      c,
      probes.get('http'),
      { signal: controller.signal },
      { region: 'test', bus },
    );
    assert.equal(result.attempt, 1);
    assert.equal(result.reason, 'http_status');
    assert.ok(performance.now() - started < 10_000, 'did not sit out the 30s backoff');
    assert.equal(server.requests.length, 1);
  } finally {
    await server.close();
  }
});

test('each attempt gets the check timeout of its own: a hanging first attempt times out and the retry succeeds', async () => {
  let seen = 0;
  const server = await startHttpServer((_req, res) => {
    // The first request never gets an answer; the client gives up on it.
    if (++seen > 1) res.writeHead(200).end('ok');
  });
  try {
    const c = makeHttpCheck(
      { name: 'flaky', target: `${server.origin}/` },
      { timeoutMs: 300, retries: { count: 1, backoffMs: 10 } },
    );
    const attempts: CheckResult[] = [];
    const bus = new EventBus();
    bus.on('result.attempt', (r) => attempts.push(r));
    const result = await executeWithRetries(
      c,
      probes.get('http'),
      { signal: AbortSignal.timeout(10_000) },
      { region: 'test', bus },
    );
    assert.deepEqual(
      attempts.map((a) => a.reason),
      ['timeout', undefined],
    );
    assert.equal(result.ok, true);
    assert.equal(result.attempt, 2);
  } finally {
    await server.close();
  }
});
