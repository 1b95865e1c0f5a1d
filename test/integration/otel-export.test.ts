import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.js';
import { startHttpServer, type HttpTestServer } from '../helpers/servers.js';
import { sampleValue, startTestAgent } from '../helpers/agent.js';
import { eventually, waitUntil } from '../helpers/wait.js';
import { VERSION } from '../../src/version.js';

let target: HttpTestServer;
let receiver: OtlpReceiver;

before(async () => {
  target = await startHttpServer((req, res) => {
    if (req.url?.startsWith('/broken')) res.writeHead(500).end('no');
    else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  receiver = await startOtlpReceiver();
});
after(async () => {
  await receiver.close();
  await target.close();
});

function config(otlp: string, checks: string[]): string {
  return [
    'agent: { region: eu-test-1, datacenter: dc7, labels: { team: sre } }',
    'server: { listen: 127.0.0.1:0 }',
    'probes: { defaults: { interval: 200ms, timeout: 1s } }',
    'exporters:',
    `  otlp: ${otlp}`,
    '  log: { level: warn }',
    'checks:',
    ...checks.map((c) => `  - ${c}`),
  ].join('\n');
}

const SPAN_KIND_INTERNAL = 1;
const SPAN_KIND_CLIENT = 3;
const STATUS_ERROR = 2;

function roots(check: string): (s: ReceivedSpan) => boolean {
  return (s) => s.name === `probe ${check}`;
}

test('protobuf export: resource, root and CLIENT spans with semantic-convention attributes, phases as events; traceparent reaches the target', async () => {
  const path = '/pb';
  const ta = await startTestAgent(
    config(`{ endpoint: ${receiver.url}, scheduledDelay: 50ms }`, [
      `{ name: web-pb, kind: http, target: "${target.origin}${path}?sig=secret" }`,
    ]),
  );
  try {
    const [root] = await receiver.waitForSpans(1, roots('web-pb'));
    assert.ok(root);
    const [client] = await receiver.waitForSpans(1, (s) => s.parentSpanId === root.spanId);
    assert.ok(client);
    assert.ok(
      receiver.requests.some((r) => r.format === 'protobuf' && r.headers['content-type'] === 'application/x-protobuf'),
    );

    assert.equal(root.resource['service.name'], 'canary');
    assert.equal(root.resource['service.version'], VERSION);
    assert.match(String(root.resource['service.instance.id']), /^[0-9a-f-]{36}$/);
    assert.equal(root.resource['cloud.region'], 'eu-test-1');
    assert.equal(root.resource['cloud.availability_zone'], 'dc7');
    assert.equal(root.resource['host.name'], hostname());
    assert.equal(root.resource.team, 'sre');

    assert.equal(root.kind, SPAN_KIND_INTERNAL);
    assert.equal(root.parentSpanId, '');
    assert.equal(root.attributes['canary.check'], 'web-pb');
    assert.equal(root.attributes['canary.kind'], 'http');
    assert.equal(root.attributes['canary.result'], 'success');
    assert.notEqual(root.status.code, STATUS_ERROR);

    assert.equal(client.name, 'GET');
    assert.equal(client.kind, SPAN_KIND_CLIENT);
    assert.equal(client.traceId, root.traceId);
    assert.equal(client.attributes['http.request.method'], 'GET');
    assert.equal(client.attributes['url.full'], `${target.origin}${path}?sig=REDACTED`);
    assert.equal(client.attributes['server.address'], '127.0.0.1');
    assert.equal(client.attributes['server.port'], target.port);
    assert.equal(client.attributes['http.response.status_code'], 200);
    assert.equal(client.attributes['network.protocol.version'], '1.1');
    assert.equal(client.attributes['error.type'], undefined);
    assert.equal(client.attributes['canary.result'], 'success');
    assert.deepEqual(
      client.events.map((e) => e.name),
      ['resolve', 'connect', 'processing', 'transfer'],
    );
    for (const event of client.events) {
      assert.ok(
        event.timeNs >= client.startNs && event.timeNs <= client.endNs + 1_000_000n,
        `${event.name} lies within the span`,
      );
      assert.equal(typeof event.attributes['canary.phase.duration_s'], 'number');
    }
    assert.ok(root.endNs >= client.endNs);

    const seen = target.requests.filter((r) => r.url.startsWith(path));
    const match = seen.find((r) => r.headers.traceparent === `00-${client.traceId}-${client.spanId}-01`);
    assert.ok(
      match,
      `a request carried the exported span's ids; saw ${seen.map((r) => r.headers.traceparent).join(', ')}`,
    );
    assert.equal(match.headers.tracestate, 'canary=c:web-pb;r:eu-test-1');
  } finally {
    await ta.stop();
  }
});

test('JSON export with headers from ${VAR}; a failing run is an ERROR with error.type and canary.reason', async () => {
  const ta = await startTestAgent(
    config(
      `{ endpoint: ${receiver.url}, protocol: http/json, compression: gzip, scheduledDelay: 50ms, headers: { authorization: "Bearer \${OTLP_TOKEN}" } }`,
      [`{ name: web-json, kind: http, target: "${target.origin}/broken" }`],
    ),
    { OTLP_TOKEN: 's3cret' },
  );
  try {
    const [root] = await receiver.waitForSpans(1, roots('web-json'));
    assert.ok(root);
    const [client] = await receiver.waitForSpans(1, (s) => s.parentSpanId === root.spanId);
    assert.ok(client);
    const request = receiver.requests.find((r) => r.format === 'json');
    assert.ok(request, 'a JSON export arrived');
    assert.equal(request.headers.authorization, 'Bearer s3cret');
    assert.equal(request.headers['content-encoding'], 'gzip');

    assert.equal(root.status.code, STATUS_ERROR);
    assert.match(root.status.message, /expected .*got 500/);
    assert.equal(root.attributes['canary.result'], 'failure');
    assert.equal(root.attributes['canary.reason'], 'http_status');
    assert.equal(client.status.code, STATUS_ERROR);
    assert.equal(client.attributes['error.type'], '500');
    assert.equal(client.attributes['http.response.status_code'], 500);
    assert.equal(client.attributes['canary.reason'], 'http_status');
  } finally {
    await ta.stop();
  }
});

test('successSampleRatio 0: every failed run is exported, no successful one', async () => {
  const ta = await startTestAgent(
    config(`{ endpoint: ${receiver.url}, successSampleRatio: 0, scheduledDelay: 50ms }`, [
      `{ name: ratio-ok, kind: http, target: "${target.origin}/fine" }`,
      `{ name: ratio-bad, kind: http, target: "${target.origin}/broken-ratio" }`,
    ]),
  );
  let failures = 0;
  try {
    await receiver.waitForSpans(5, roots('ratio-bad'));
    // The two checks start at random offsets: wait for the successful one to have run as often.
    await eventually(
      async () =>
        (sampleValue((await ta.get('/metrics')).body, 'canary_probe_runs_total', {
          check: 'ratio-ok',
          result: 'success',
        }) ?? 0) >= 5
          ? true
          : undefined,
      10_000,
      'five successful runs',
    );
  } finally {
    await ta.stop();
  }
  // After stop every run is finished and flushed: compare with the agent's own count.
  const text = (await ta.agent.metrics()).body;
  failures = sampleValue(text, 'canary_probe_runs_total', { check: 'ratio-bad', reason: 'http_status' }) ?? -1;
  const successes = sampleValue(text, 'canary_probe_runs_total', { check: 'ratio-ok', result: 'success' }) ?? -1;
  assert.ok(successes >= 5, `the successful check ran (${successes})`);
  assert.equal(receiver.spans.filter(roots('ratio-bad')).length, failures, 'one exported root span per failed run');
  assert.equal(receiver.spans.filter(roots('ratio-ok')).length, 0, 'no successful run exported');
});

test('traceContext: false sends no trace headers, and the run is still traced', async () => {
  const path = '/no-context';
  const ta = await startTestAgent(
    config(`{ endpoint: ${receiver.url}, scheduledDelay: 50ms }`, [
      `{ name: quiet, kind: http, target: "${target.origin}${path}", http: { traceContext: false } }`,
    ]),
  );
  try {
    await receiver.waitForSpans(1, roots('quiet'));
  } finally {
    await ta.stop();
  }
  const seen = target.requests.filter((r) => r.url === path);
  assert.ok(seen.length > 0);
  assert.ok(seen.every((r) => r.headers.traceparent === undefined && r.headers.tracestate === undefined));
});

test('stop flushes spans still queued (export delay far beyond the test)', async () => {
  const ta = await startTestAgent(
    config(`{ endpoint: ${receiver.url}, scheduledDelay: 10m }`, [
      `{ name: flush-me, kind: http, target: "${target.origin}/flush" }`,
    ]),
  );
  const ran = async () =>
    sampleValue((await ta.agent.metrics()).body, 'canary_probe_runs_total', { check: 'flush-me', result: 'success' }) ??
    0;
  // Runs finished but their spans still queued: what stop must flush.
  await waitUntil(async () => (await ran()) >= 2, 10_000, 'two runs of flush-me', 50);
  assert.equal(receiver.spans.filter(roots('flush-me')).length, 0, 'nothing exported before stop');
  await ta.stop();
  const runs = await ran();
  assert.ok(runs >= 2);
  assert.equal(receiver.spans.filter(roots('flush-me')).length, runs, 'every run exported at stop');
  const exported = sampleValue((await ta.agent.metrics()).body, 'canary_otel_spans_exported_total');
  assert.equal(exported, runs * 2);
});
