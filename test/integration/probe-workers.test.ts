/**
 * `probes.workers`: probes run on worker threads, the scheduler and sinks stay on the
 * agent's thread. Real workers, real loopback servers; the target of the stall test is a
 * child process, so blocking this thread does not block it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { ProbePool } from '../../src/run/workers/pool.js';
import { createLogger } from '../../src/log.js';
import type { CheckResult } from '../../src/results/types.js';
import { startTestAgent } from '../helpers/agent.js';
import { makeHttpCheck } from '../helpers/checks.js';
import { eventually } from '../helpers/wait.js';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlp-receiver.js';
import { startHttpServer, type HttpTestServer } from '../helpers/servers.js';

/** Answers every request after `HOLD_MS`, from a process of its own. */
const HOLD_MS = 200;
const CHILD_SERVER = `
const server = require('node:http').createServer((req, res) => setTimeout(() => res.end('ok'), ${HOLD_MS}));
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
process.on('disconnect', () => process.exit(0));`;

let child: ChildProcess;
let childOrigin: string;
let target: HttpTestServer;
let hanging: HttpTestServer;
let receiver: OtlpReceiver;
let served = 0;

before(async () => {
  child = spawn(process.execPath, ['-e', CHILD_SERVER], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const [port] = (await once(child, 'message')) as [number];
  childOrigin = `http://127.0.0.1:${port}`;
  target = await startHttpServer((req, res) => {
    // /flaky fails its first request only: the run must retry through the worker.
    if (req.url === '/flaky' && ++served === 1) res.writeHead(503).end('warming up');
    else res.writeHead(200).end('ok');
  });
  hanging = await startHttpServer(() => undefined);
  receiver = await startOtlpReceiver();
});

after(async () => {
  child.disconnect();
  await Promise.all([target.close(), hanging.close(), receiver.close()]);
});

/** Busy-waits: the agent's thread runs nothing else meanwhile. */
function block(ms: number): number {
  const end = Date.now() + ms;
  while (Date.now() < end);
  return Date.now();
}

test('with workers a probe ends on time while the agent thread is blocked: its duration does not include the stall', async () => {
  const ta = await startTestAgent(
    [
      'server: { listen: 127.0.0.1:0 }',
      'probes: { workers: 2, defaults: { interval: 1s, timeout: 5s } }',
      'exporters: { log: { level: warn } }',
      'checks:',
      `  - { name: held, kind: http, target: "${childOrigin}/held" }`,
    ].join('\n'),
  );
  try {
    let unblockedAt = 0;
    const results: CheckResult[] = [];
    ta.agent.bus.on('result', (r) => results.push(r));
    // The lag event comes just before the run is handed over; block right after that.
    ta.agent.bus.on('scheduler.lag', () => {
      if (unblockedAt === 0) setImmediate(() => (unblockedAt = block(3 * HOLD_MS + 1_000)));
      unblockedAt ||= -1;
    });
    const result = await eventually(() => results[0], 10_000, 'the first result');
    assert.ok(result.ok, result.message);
    const endedAt = result.startedAt + result.durationSeconds * 1000;
    assert.ok(unblockedAt > 0, 'the agent thread was blocked during the first run');
    assert.ok(
      endedAt < unblockedAt,
      `the probe ended (${endedAt}) before the agent thread was free again (${unblockedAt})`,
    );
  } finally {
    await ta.stop();
  }
});

test('with workers a retried run is traced as without: each attempt sends its own span as parent', async () => {
  const ta = await startTestAgent(
    [
      'server: { listen: 127.0.0.1:0 }',
      'probes: { workers: 1, defaults: { interval: 1s, timeout: 200ms, retries: { count: 2, backoff: 50ms } } }',
      'exporters:',
      `  otlp: { endpoint: ${receiver.url}, scheduledDelay: 50ms, successSampleRatio: 0 }`,
      '  log: { level: warn }',
      'checks:',
      `  - { name: flaky, kind: http, target: "${target.origin}/flaky" }`,
    ].join('\n'),
  );
  try {
    const attempts: CheckResult[] = [];
    ta.agent.bus.on('result.attempt', (r) => attempts.push(r));
    const [root] = await receiver.waitForSpans(
      1,
      (s) => s.name === 'probe flaky' && s.attributes['canary.attempt'] === 2,
    );
    assert.ok(root);
    assert.equal(root.attributes['canary.result'], 'success');
    const clients = await receiver.waitForSpans(2, (s) => s.parentSpanId === root.spanId);
    clients.sort((a, b) => Number(a.startNs - b.startNs));
    const parents = target.requests
      .filter((r) => r.url === '/flaky')
      .slice(0, 2)
      .map((r) => r.headers.traceparent);
    assert.deepEqual(
      parents,
      clients.map((c) => `00-${root.traceId}-${c.spanId}-01`),
    );
    assert.deepEqual(
      attempts.slice(0, 2).map((a) => [a.attempt, a.ok, a.reason]),
      [
        [1, false, 'http_status'],
        [2, true, undefined],
      ],
      'both attempts reached the bus',
    );
  } finally {
    await ta.stop();
  }
});

test('with workers a run that hangs times out at its deadline with the timeout reason and message', async () => {
  const ta = await startTestAgent(
    [
      'server: { listen: 127.0.0.1:0 }',
      'probes: { workers: 2, defaults: { interval: 1s, timeout: 300ms } }',
      'exporters: { log: { level: warn } }',
      'checks:',
      `  - { name: hangs, kind: http, target: "${hanging.origin}/" }`,
    ].join('\n'),
  );
  try {
    const results: CheckResult[] = [];
    ta.agent.bus.on('result', (r) => results.push(r));
    const result = await eventually(() => results[0], 10_000, 'a result');
    assert.equal(result.ok, false);
    assert.equal(result.reason, 'timeout');
    assert.match(result.message ?? '', /^timed out after \d+\.\d{3}s during the wait for response headers$/);
    // The first run keeps most of its timeout: the agent waited for its workers to start
    // (a start takes a few hundred ms, which used to eat the first runs). The crossing to
    // the worker is charged to the run's budget, so on a busy machine it may take some ms.
    assert.ok(result.durationSeconds >= 0.2, `ran ${result.durationSeconds}s`);
  } finally {
    await ta.stop();
  }
});

test('with workers a reload moves a changed check to its new target and stops a removed one', async () => {
  const other = await startHttpServer((_req, res) => res.writeHead(200).end('ok'));
  const config = (checks: string[]) =>
    [
      'server: { listen: 127.0.0.1:0 }',
      'probes: { workers: 2, defaults: { interval: 200ms, timeout: 150ms } }',
      'exporters: { log: { level: warn } }',
      'checks:',
      ...checks,
    ].join('\n');
  const ta = await startTestAgent(
    config([
      `  - { name: moved, kind: http, target: "${target.origin}/moved" }`,
      `  - { name: gone, kind: http, target: "${target.origin}/gone" }`,
    ]),
  );
  try {
    await eventually(
      () => (target.requests.some((r) => r.url === '/gone') ? true : undefined),
      10_000,
      'a run of the check to remove',
    );
    writeFileSync(ta.agent.config.file, config([`  - { name: moved, kind: http, target: "${other.origin}/moved" }`]));
    const outcome = await ta.agent.reload('http');
    assert.equal(outcome.status, 'success');
    const goneBefore = target.requests.filter((r) => r.url === '/gone').length;
    await eventually(
      () => (other.requests.filter((r) => r.url === '/moved').length >= 3 ? true : undefined),
      10_000,
      'runs on the new target',
    );
    // A run in flight at the reload may still land; none starts after it.
    assert.ok(target.requests.filter((r) => r.url === '/gone').length <= goneBefore + 1, 'the removed check stopped');
  } finally {
    await ta.stop();
    await other.close();
  }
});

test('a probe worker that dies fails its runs with a reason, and a new worker takes its checks', async () => {
  const lines: string[] = [];
  const logger = createLogger({ level: 'error', destination: { write: (line: string) => lines.push(line) } });
  const pool = new ProbePool({ workers: 1, region: 'test', logger });
  const bus = { emit: () => undefined };
  const check = makeHttpCheck({ target: `${hanging.origin}/` }, { timeoutMs: 5_000 });
  const signal = new AbortController().signal;
  try {
    const hung = pool.run(check, { signal, deadline: Date.now() + 5_000, bus });
    await eventually(() => (hanging.accepted >= 1 ? true : undefined), 5_000, 'the hung request');
    const [first] = pool.threads;
    await first?.terminate();
    await assert.rejects(hung, /probe worker 0 exited/);
    assert.ok(
      lines.some((l) => l.includes('probe worker exited; starting another')),
      lines.join('\n'),
    );
    const ok = makeHttpCheck({ target: `${target.origin}/after` }, { timeoutMs: 2_000 });
    const result = await pool.run(ok, { signal, deadline: Date.now() + 2_000, bus });
    assert.equal(result.ok, true, result.message);
    assert.notEqual(pool.threads[0], first, 'a new worker');
  } finally {
    await pool.close();
  }
});

test('closing the pool ends the runs still going and every worker exits', async () => {
  const logger = createLogger({ level: 'silent' });
  const pool = new ProbePool({ workers: 2, region: 'test', logger });
  const exits = pool.threads.map((t) => once(t, 'exit'));
  const checks = [0, 1].map((i) =>
    makeHttpCheck({ name: `hang-${i}`, target: `${hanging.origin}/${i}` }, { timeoutMs: 30_000 }),
  );
  const attempts: CheckResult[] = [];
  const bus = { emit: (_e: 'result.attempt', r: CheckResult) => void attempts.push(r) };
  const runs = checks.map((check) =>
    pool.run(check, { signal: new AbortController().signal, deadline: Date.now() + 30_000, bus }),
  );
  const before = hanging.accepted;
  await eventually(
    () => (hanging.accepted >= before + 2 || attempts.length > 0 ? true : undefined),
    5_000,
    'both requests in flight',
  );
  await pool.close();
  const results = await Promise.all(runs);
  assert.deepEqual(
    results.map((r) => [r.ok, r.reason]),
    [
      [false, 'aborted'],
      [false, 'aborted'],
    ],
  );
  await Promise.all(exits);
  await assert.rejects(
    pool.run(checks[0] as (typeof checks)[0], {
      signal: new AbortController().signal,
      deadline: Date.now() + 1_000,
      bus,
    }),
    /closed/,
  );
});
