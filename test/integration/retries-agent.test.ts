import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleValue, startTestAgent } from '../helpers/agent.js';
import { eventually } from '../helpers/wait.js';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlp-receiver.js';
import { startHttpServer, type HttpTestServer } from '../helpers/servers.js';

const SPAN_KIND_CLIENT = 3;
const STATUS_ERROR = 2;

let target: HttpTestServer;
let receiver: OtlpReceiver;
let served = 0;

before(async () => {
  // Fails the very first request only: the agent's first run must retry and succeed.
  target = await startHttpServer((_req, res) => {
    if (++served === 1) res.writeHead(503).end('warming up');
    else res.writeHead(200).end('ok');
  });
  receiver = await startOtlpReceiver();
});
after(async () => {
  await receiver.close();
  await target.close();
});

test('the agent retries through the scheduler: one ok run, its failed attempt counted and traced as a CLIENT span of its own', async () => {
  const ta = await startTestAgent(
    [
      'server: { listen: 127.0.0.1:0 }',
      'probes: { defaults: { interval: 1s, timeout: 200ms, retries: { count: 2, backoff: 50ms } } }',
      'exporters:',
      `  otlp: { endpoint: ${receiver.url}, scheduledDelay: 50ms, successSampleRatio: 0 }`,
      '  log: { level: warn }',
      'checks:',
      `  - { name: flaky, kind: http, target: "${target.origin}/health" }`,
    ].join('\n'),
  );
  try {
    const labels = { check: 'flaky', kind: 'http' };
    const body = await eventually(
      async () => {
        const { body } = await ta.get('/metrics');
        return (sampleValue(body, 'canary_probe_runs_total', { ...labels, result: 'success' }) ?? 0) >= 1
          ? body
          : undefined;
      },
      10_000,
      'a successful run',
    );
    assert.equal(
      sampleValue(body, 'canary_probe_attempts_total', { ...labels, result: 'failure', reason: 'http_status' }),
      1,
    );
    assert.equal(
      sampleValue(body, 'canary_probe_runs_total', { ...labels, result: 'failure' }),
      undefined,
      'the blip is not a failed run',
    );
    const runs = sampleValue(body, 'canary_probe_runs_total', { ...labels, result: 'success' }) ?? 0;
    const successes = sampleValue(body, 'canary_probe_attempts_total', { ...labels, result: 'success' }) ?? 0;
    assert.ok(
      successes >= runs && successes <= runs + 1,
      `each ok run has one successful attempt (runs ${runs}, attempts ${successes})`,
    );

    // Successes are sampled out (ratio 0), yet the retried run is kept: its failed attempt is the news.
    const [root] = await receiver.waitForSpans(
      1,
      (s) => s.name === 'probe flaky' && s.attributes['canary.attempt'] === 2,
    );
    assert.ok(root);
    assert.equal(root.attributes['canary.result'], 'success');
    assert.notEqual(root.status.code, STATUS_ERROR);
    const clients = await receiver.waitForSpans(2, (s) => s.parentSpanId === root.spanId);
    clients.sort((a, b) => Number(a.startNs - b.startNs));
    assert.deepEqual(
      clients.map((c) => [
        c.kind,
        c.attributes['canary.attempt'],
        c.attributes['canary.result'],
        c.status.code === STATUS_ERROR,
      ]),
      [
        [SPAN_KIND_CLIENT, 1, 'failure', true],
        [SPAN_KIND_CLIENT, 2, 'success', false],
      ],
    );
    const [first, second] = clients as [(typeof clients)[0], (typeof clients)[0]];
    assert.ok(first.endNs <= second.startNs, 'the retry starts after the failed attempt ended');
    // Each attempt told the service its own span.
    const parents = target.requests.slice(0, 2).map((r) => r.headers.traceparent);
    assert.deepEqual(parents, [`00-${root.traceId}-${first.spanId}-01`, `00-${root.traceId}-${second.spanId}-01`]);
  } finally {
    await ta.stop();
  }
});
