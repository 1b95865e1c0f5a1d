import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlp-receiver.js';
import { closedPort, startHttpServer, type HttpTestServer } from '../helpers/servers.js';
import { sampleValue, startTestAgent, type TestAgent } from '../helpers/agent.js';

let target: HttpTestServer;

before(async () => {
  target = await startHttpServer((_req, res) => res.writeHead(200).end('ok'));
});
after(async () => {
  await target.close();
});

function config(otlp: string): string {
  return [
    'server: { listen: 127.0.0.1:0 }',
    'exporters:',
    `  otlp: ${otlp}`,
    '  log: { level: warn }',
    'checks:',
    `  - { name: steady, kind: http, target: "${target.origin}/steady", interval: ${INTERVAL_MS}ms, timeout: ${INTERVAL_MS}ms }`,
  ].join('\n');
}

/** The check's interval and timeout: short enough to show the schedule, long enough that a busy host does not time it out. */
const INTERVAL_MS = 200;
const WINDOW_MS = 2_000;
/** Runs the check must reach in the window whatever the collector does (a quarter of slack). */
const MIN_RUNS = (WINDOW_MS / INTERVAL_MS) * 0.75;

async function runsAfterWindow(ta: TestAgent): Promise<string> {
  const before =
    sampleValue((await ta.get('/metrics')).body, 'canary_probe_runs_total', { check: 'steady', result: 'success' }) ??
    0;
  // Time passes on purpose: what is measured is how many runs the schedule fits in it.
  await new Promise((r) => setTimeout(r, WINDOW_MS));
  const text = (await ta.get('/metrics')).body;
  const runs = (sampleValue(text, 'canary_probe_runs_total', { check: 'steady', result: 'success' }) ?? 0) - before;
  assert.ok(runs >= MIN_RUNS, `the check kept its schedule: ${runs} successful runs in ${WINDOW_MS} ms`);
  assert.equal(
    sampleValue(text, 'canary_probe_runs_total', { check: 'steady', result: 'failure' }),
    undefined,
    'no run failed',
  );
  return text;
}

test('collector down (connection refused): probes keep their schedule, the drop counter rises, the agent stays up', async () => {
  const port = await closedPort();
  const ta = await startTestAgent(
    config(`{ endpoint: "http://127.0.0.1:${port}", scheduledDelay: 50ms, timeout: 300ms }`),
  );
  try {
    const text = await runsAfterWindow(ta);
    const dropped = sampleValue(text, 'canary_otel_spans_dropped_total', { reason: 'export_failed' }) ?? 0;
    assert.ok(dropped > 0, `spans counted as dropped (${dropped})`);
    assert.equal(sampleValue(text, 'canary_otel_spans_exported_total'), 0);
    assert.equal((await ta.get('/healthz')).status, 200);
    assert.equal((await ta.get('/readyz')).status, 200);
    const warned = ta.logs().filter((l) => l.msg?.toString().startsWith('OTLP export failed'));
    assert.equal(warned.length, 1, 'one warning for the outage, not one per batch');
  } finally {
    await ta.stop();
  }
});

test('collector hanging: a full queue drops and counts spans, probes keep their schedule, stop stays bounded', async (t) => {
  const receiver: OtlpReceiver = await startOtlpReceiver();
  t.after(() => receiver.close());
  receiver.mode = 'hang';
  const ta = await startTestAgent(
    config(`{ endpoint: ${receiver.url}, scheduledDelay: 50ms, timeout: 5s, maxQueueSize: 8, maxExportBatchSize: 4 }`),
  );
  try {
    const text = await runsAfterWindow(ta);
    const full = sampleValue(text, 'canary_otel_spans_dropped_total', { reason: 'queue_full' }) ?? 0;
    assert.ok(full > 0, `queue overflow counted (${full})`);
  } finally {
    const started = Date.now();
    await ta.stop();
    // The stop budget gives the last flush 2 s; a hanging collector must not hold it longer.
    assert.ok(Date.now() - started < 9_000, 'stop finished within the shutdown budget');
  }
  const text = (await ta.agent.metrics()).body;
  assert.ok(
    (sampleValue(text, 'canary_otel_spans_dropped_total', { reason: 'shutdown' }) ?? 0) > 0,
    'spans still queued at stop are counted',
  );
});

test('collector answering 503 and then recovering: drops counted, export resumes, one warning and one recovery line', async (t) => {
  const receiver = await startOtlpReceiver();
  t.after(() => receiver.close());
  receiver.mode = 'unavailable';
  const ta = await startTestAgent(config(`{ endpoint: ${receiver.url}, scheduledDelay: 50ms, timeout: 300ms }`));
  try {
    await runsAfterWindow(ta);
    receiver.mode = 'ok';
    await receiver.waitForSpans(2, (s) => s.name === 'probe steady');
    const text = (await ta.get('/metrics')).body;
    assert.ok((sampleValue(text, 'canary_otel_spans_dropped_total', { reason: 'export_failed' }) ?? 0) > 0);
    assert.ok((sampleValue(text, 'canary_otel_spans_exported_total') ?? 0) >= 2);
    const messages = ta.logs().map((l) => String(l.msg));
    assert.equal(messages.filter((m) => m.startsWith('OTLP export failed')).length, 1);
    assert.ok(messages.includes('OTLP export recovered'));
  } finally {
    await ta.stop();
  }
});
