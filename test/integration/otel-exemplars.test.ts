import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlp-receiver.js';
import { startHttpServer, type HttpTestServer } from '../helpers/servers.js';
import { startTestAgent, type TestAgent } from '../helpers/agent.js';
import { findTool, promtoolCheckMetrics } from '../helpers/promtool.js';
import { eventually } from '../helpers/wait.js';
import { prometheusBinary, startPrometheus } from '../helpers/prometheus.js';

let target: HttpTestServer;
let receiver: OtlpReceiver;
let ta: TestAgent;

const OPENMETRICS = 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5';
/** `canary_probe_duration_seconds_bucket{...} 3 # {trace_id="...",span_id="..."} 0.0012 1790000000.123` */
const EXEMPLAR =
  /^canary_probe_duration_seconds_bucket\{([^}]*)\} \d+ # \{trace_id="([0-9a-f]{32})",span_id="([0-9a-f]{16})"\} ([0-9.e-]+) ([0-9.]+)$/;

before(async () => {
  target = await startHttpServer((_req, res) => res.writeHead(200).end('ok'));
  receiver = await startOtlpReceiver();
  ta = await startTestAgent(
    [
      'agent: { region: ex-1 }',
      'server: { listen: 127.0.0.1:0 }',
      'exporters:',
      `  otlp: { endpoint: ${receiver.url}, scheduledDelay: 50ms }`,
      'checks:',
      `  - { name: exemplary, kind: http, target: "${target.origin}/e", interval: 200ms, timeout: 200ms }`,
    ].join('\n'),
  );
  await receiver.waitForSpans(2, (s) => s.name === 'probe exemplary');
});
after(async () => {
  await ta.stop();
  await receiver.close();
  await target.close();
});

test('an OpenMetrics scrape carries exemplars on canary_probe_duration_seconds that name exported traces', async () => {
  const { body, contentType } = await ta.get('/metrics', { accept: OPENMETRICS });
  assert.match(contentType, /^application\/openmetrics-text/);
  const exemplars = body
    .split('\n')
    .map((line) => EXEMPLAR.exec(line))
    .filter((m) => m !== null);
  assert.ok(exemplars.length > 0, 'at least one bucket has an exemplar');
  for (const [, labels, traceId, spanId, value] of exemplars) {
    assert.match(labels ?? '', /check="exemplary"/);
    const le = /le="([^"]+)"/.exec(labels ?? '')?.[1];
    assert.ok(le === '+Inf' || Number(value) <= Number(le), `exemplar ${value} belongs in bucket le=${le}`);
    // The exemplar's trace was kept, so it reaches the collector (wait for the batch).
    const spans = await receiver.waitForSpans(1, (s) => s.traceId === traceId && s.spanId === spanId);
    assert.equal(spans[0]?.kind, 3, 'the exemplar points at the CLIENT span');
  }
});

test('the Prometheus text format stays free of exemplars and passes promtool check metrics', async (t) => {
  const { body } = await ta.get('/metrics');
  assert.ok(!body.includes('trace_id'), 'no exemplar in text format 0.0.4');
  assert.match(body, /^canary_otel_spans_exported_total(\{[^}]*\})? \d+/m);
  const promtool = findTool('promtool');
  if (!promtool) {
    t.skip('promtool not installed (apt-get install prometheus)');
    return;
  }
  const run = await promtoolCheckMetrics(promtool, body);
  assert.equal(run.code, 0, run.stderr + run.stdout);
  assert.equal(run.stdout.trim() + run.stderr.trim(), '', 'no lint warnings');
});

test('a real Prometheus with exemplar storage ingests the exemplars', async (t) => {
  if (!prometheusBinary()) {
    t.skip('prometheus not installed (apt-get install prometheus)');
    return;
  }
  const host = new URL(ta.url).host;
  const prom = await startPrometheus([host], '', ['--enable-feature=exemplar-storage']);
  try {
    const found = await eventually(
      async () => {
        const now = Date.now() / 1000;
        const query = encodeURIComponent('canary_probe_duration_seconds_bucket{check="exemplary"}');
        const res = await fetch(`${prom.url}/api/v1/query_exemplars?query=${query}&start=${now - 60}&end=${now + 5}`);
        const json = (await res.json()) as { data: { exemplars: { labels: Record<string, string> }[] }[] };
        const ids = json.data.flatMap((series) => series.exemplars.map((e) => e.labels.trace_id));
        return ids.length > 0 ? ids : undefined;
      },
      20_000,
      'exemplars in Prometheus',
    );
    const exported = () => new Set(receiver.spans.map((s) => s.traceId));
    await eventually(
      () => Promise.resolve(found.some((id) => id !== undefined && exported().has(id)) ? true : undefined),
      5_000,
      'an exemplar naming an exported trace',
    );
  } finally {
    await prom.stop();
  }
});
