import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PrometheusSink, type PrometheusSinkOptions } from '../../src/exporters/prometheus.js';
import { EventBus } from '../../src/results/bus.js';
import type { CheckResult, Observation } from '../../src/results/types.js';
import { samples as parsedSamples } from '../bench/prom-text.js';
import { makeResult } from '../helpers/results.js';

const L = 'region="eu-west-1",team="sre"';

function makeSink(overrides: Partial<PrometheusSinkOptions> = {}): { bus: EventBus; sink: PrometheusSink } {
  const bus = new EventBus();
  const sink = new PrometheusSink({
    bus,
    region: 'eu-west-1',
    agentLabels: { team: 'sre' },
    version: '1.2.3',
    datacenter: 'dc1',
    checks: [
      { name: 'api', kind: 'http' },
      { name: 'web', kind: 'http' },
    ],
    ...overrides,
  });
  return { bus, sink };
}

function result(
  check: string,
  over: Partial<Omit<CheckResult, 'observation'>> = {},
  obs: Partial<Observation> = {},
): CheckResult {
  return makeResult(
    { check, region: 'eu-west-1', startedAt: 1_700_000_000_000, durationSeconds: 0.12, ...over },
    {
      phases: { resolve: 0.001, connect: 0.002, processing: 0.1, transfer: 0.017 },
      dnsLookupSeconds: 0.001,
      http: {
        status: 200,
        version: '1.1',
        redirects: 1,
        finalUrl: 'http://127.0.0.1/',
        headers: { 'content-length': '512' },
        bodyBytes: 512,
        ssl: false,
      },
      ...obs,
    },
  );
}

/**
 * The exposition without `canary_check_info`, which names every configured check whether
 * or not it has run; the tests using this are about the series that results create.
 */
async function body(sink: PrometheusSink): Promise<string> {
  return (await sink.metrics()).body
    .split('\n')
    .filter((line) => !line.startsWith('canary_check_info{'))
    .join('\n');
}

function samples(text: string): string[] {
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
}

test('a successful HTTP result sets the blackbox gauges, every phase and the run counter', async () => {
  const { bus, sink } = makeSink();
  bus.emit('result', result('api'));
  const text = await body(sink);
  const lines = new Set(samples(text));
  for (const expected of [
    `probe_success{check="api",kind="http",${L}} 1`,
    `probe_duration_seconds{check="api",kind="http",${L}} 0.12`,
    `probe_dns_lookup_time_seconds{check="api",kind="http",${L}} 0.001`,
    `probe_http_status_code{check="api",kind="http",${L}} 200`,
    `probe_http_duration_seconds{phase="resolve",check="api",kind="http",${L}} 0.001`,
    `probe_http_duration_seconds{phase="connect",check="api",kind="http",${L}} 0.002`,
    `probe_http_duration_seconds{phase="tls",check="api",kind="http",${L}} 0`,
    `probe_http_duration_seconds{phase="processing",check="api",kind="http",${L}} 0.1`,
    `probe_http_duration_seconds{phase="transfer",check="api",kind="http",${L}} 0.017`,
    `probe_http_redirects{check="api",kind="http",${L}} 1`,
    `probe_http_ssl{check="api",kind="http",${L}} 0`,
    `probe_http_version{check="api",kind="http",${L}} 1.1`,
    `probe_http_content_length{check="api",kind="http",${L}} 512`,
    `canary_probe_runs_total{result="success",reason="",check="api",kind="http",${L}} 1`,
  ]) {
    assert.ok(lines.has(expected), `missing line: ${expected}`);
  }
  assert.match(text, /^# HELP probe_success Displays whether or not the probe was a success$/m);
  assert.match(text, /^# TYPE probe_http_duration_seconds gauge$/m);
  // No TLS on http://: the TLS-only series must not exist (blackbox omits them too).
  assert.ok(
    !samples(text).some(
      (l) => l.startsWith('probe_ssl_earliest_cert_expiry') || l.startsWith('probe_tls_version_info'),
    ),
  );
  // The other configured check has not run: no series for it yet.
  assert.ok(!text.includes('check="web"'));
});

test('failures count by reason, keep the success series, and zero the HTTP gauges without a response', async () => {
  const { bus, sink } = makeSink();
  bus.emit('result', result('api'));
  bus.emit(
    'result',
    result(
      'api',
      { ok: false, reason: 'timeout', message: 'timed out after 5s' },
      { http: undefined, phases: { resolve: 0.001 } },
    ),
  );
  bus.emit('result', result('api', { ok: false, reason: 'timeout' }, { http: undefined }));
  bus.emit(
    'result',
    result(
      'api',
      { ok: false, reason: 'http_status' },
      { http: { status: 503, version: '2', redirects: 0, finalUrl: '', headers: {}, bodyBytes: 3, ssl: true } },
    ),
  );
  const lines = new Set(samples(await body(sink)));
  for (const expected of [
    `canary_probe_runs_total{result="success",reason="",check="api",kind="http",${L}} 1`,
    `canary_probe_runs_total{result="failure",reason="timeout",check="api",kind="http",${L}} 2`,
    `canary_probe_runs_total{result="failure",reason="http_status",check="api",kind="http",${L}} 1`,
    `probe_success{check="api",kind="http",${L}} 0`,
    `probe_http_status_code{check="api",kind="http",${L}} 503`,
    `probe_http_version{check="api",kind="http",${L}} 2`,
    `probe_http_ssl{check="api",kind="http",${L}} 1`,
    // No Content-Length header (a chunked body): -1, as blackbox_exporter reports it.
    `probe_http_content_length{check="api",kind="http",${L}} -1`,
  ]) {
    assert.ok(lines.has(expected), `missing line: ${expected}`);
  }

  const { bus: bus2, sink: sink2 } = makeSink();
  bus2.emit('result', result('api', { ok: false, reason: 'refused' }, { http: undefined, phases: { resolve: 0.002 } }));
  const lines2 = new Set(samples(await body(sink2)));
  assert.ok(lines2.has(`probe_http_status_code{check="api",kind="http",${L}} 0`));
  assert.ok(lines2.has(`probe_http_duration_seconds{phase="connect",check="api",kind="http",${L}} 0`));
  assert.ok(lines2.has(`probe_http_duration_seconds{phase="resolve",check="api",kind="http",${L}} 0.002`));
  assert.ok(lines2.has(`canary_probe_runs_total{result="success",reason="",check="api",kind="http",${L}} 0`));
});

test('the duration histogram counts runs into the right buckets', async () => {
  const { bus, sink } = makeSink();
  for (const seconds of [0.004, 0.2, 0.2, 7]) bus.emit('result', result('api', { durationSeconds: seconds }));
  const lines = new Set(samples(await body(sink)));
  const h = (le: string) => `canary_probe_duration_seconds_bucket{le="${le}",check="api",kind="http",${L}}`;
  assert.ok(lines.has(`${h('0.005')} 1`));
  assert.ok(lines.has(`${h('0.1')} 1`));
  assert.ok(lines.has(`${h('0.25')} 3`));
  assert.ok(lines.has(`${h('5')} 3`));
  assert.ok(lines.has(`${h('10')} 4`));
  assert.ok(lines.has(`${h('60')} 4`));
  assert.ok(lines.has(`${h('+Inf')} 4`));
  assert.ok(lines.has(`canary_probe_duration_seconds_count{check="api",kind="http",${L}} 4`));
  assert.ok(lines.has(`canary_probe_duration_seconds_sum{check="api",kind="http",${L}} 7.404`));
});

test('agent info, checks per kind and the default labels are on the exposition', async () => {
  const { bus, sink } = makeSink();
  bus.emit('result', result('api'));
  bus.emit('scheduler.skipped', { check: 'web', kind: 'http' });
  const text = await body(sink);
  const all = samples(text);
  assert.ok(all.includes(`canary_agent_info{version="1.2.3",datacenter="dc1",${L}} 1`));
  assert.ok(all.includes(`canary_checks{kind="http",${L}} 2`));
  assert.ok(all.includes(`canary_config_last_reload_successful{${L}} 1`));
  // Node process metrics are kept, under the canary_ prefix.
  assert.ok(all.some((l) => l.startsWith('canary_process_cpu_user_seconds_total{')));
  // Every single series, ours and node's, carries the region and the agent labels.
  assert.ok(all.length > 50, `only ${all.length} samples`);
  for (const line of all) {
    assert.match(line, /[{,]region="eu-west-1"[,}]/, line);
    assert.match(line, /[{,]team="sre"[,}]/, line);
  }

  const { sink: bare } = makeSink({ datacenter: undefined, agentLabels: {} });
  assert.ok(samples(await body(bare)).includes('canary_agent_info{version="1.2.3",region="eu-west-1"} 1'));
});

test('scheduler lag is a histogram by kind only; skipped runs count per check', async () => {
  const { bus, sink } = makeSink();
  for (const seconds of [0.0005, 0.02, 0.02, 3]) bus.emit('scheduler.lag', { check: 'api', kind: 'http', seconds });
  bus.emit('scheduler.lag', { check: 'dns1', kind: 'dns', seconds: 0.2 });
  bus.emit('scheduler.skipped', { check: 'api', kind: 'http' });
  bus.emit('scheduler.skipped', { check: 'api', kind: 'http' });
  const text = await body(sink);
  const lines = new Set(samples(text));
  assert.ok(lines.has(`canary_scheduler_lag_seconds_bucket{le="0.001",${L},kind="http"} 1`));
  assert.ok(lines.has(`canary_scheduler_lag_seconds_bucket{le="0.01",${L},kind="http"} 1`));
  assert.ok(lines.has(`canary_scheduler_lag_seconds_bucket{le="0.02",${L},kind="http"} 3`));
  assert.ok(lines.has(`canary_scheduler_lag_seconds_bucket{le="+Inf",${L},kind="http"} 4`));
  assert.ok(lines.has(`canary_scheduler_lag_seconds_count{${L},kind="http"} 4`));
  assert.ok(lines.has(`canary_scheduler_lag_seconds_count{${L},kind="dns"} 1`));
  assert.ok(!samples(text).some((l) => l.startsWith('canary_scheduler_lag_seconds') && l.includes('check=')));
  assert.ok(lines.has(`canary_scheduler_skipped_runs_total{check="api",kind="http",${L}} 2`));
});

test('TLS facts give the certificate expiry and TLS version, which disappear when a run has none', async () => {
  const { bus, sink } = makeSink();
  const tls = { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', earliestCertExpiry: 1_900_000_000 };
  bus.emit('result', result('api', {}, { tls }));
  let lines = samples(await body(sink));
  assert.ok(lines.includes(`probe_ssl_earliest_cert_expiry{check="api",kind="http",${L}} 1900000000`));
  assert.ok(lines.includes(`probe_tls_version_info{version="TLS 1.3",check="api",kind="http",${L}} 1`));

  bus.emit('result', result('api', {}, { tls: { ...tls, version: 'TLSv1.2' } }));
  lines = samples(await body(sink));
  assert.ok(lines.includes(`probe_tls_version_info{version="TLS 1.2",check="api",kind="http",${L}} 1`));
  assert.ok(!lines.some((l) => l.includes('version="TLS 1.3"')), 'the old TLS version series must go');

  bus.emit('result', result('api', { ok: false, reason: 'tls' }, { http: undefined }));
  lines = samples(await body(sink));
  assert.ok(
    !lines.some((l) => l.startsWith('probe_ssl_earliest_cert_expiry') || l.startsWith('probe_tls_version_info')),
  );
});

test('a non-HTTP check gets the generic gauges but no probe_http_* series', async () => {
  const { bus, sink } = makeSink({ checks: [{ name: 'db', kind: 'tcp' }] });
  bus.emit('result', result('db', { kind: 'tcp' }, { http: undefined, phases: {}, dnsLookupSeconds: 0.003 }));
  const lines = samples(await body(sink));
  assert.ok(lines.includes(`probe_success{check="db",kind="tcp",${L}} 1`));
  assert.ok(lines.includes(`probe_dns_lookup_time_seconds{check="db",kind="tcp",${L}} 0.003`));
  assert.ok(!lines.some((l) => l.startsWith('probe_http_')));
});

test('removeCheck and setChecks drop a check and all its series', async () => {
  const { bus, sink } = makeSink();
  const tls = { version: 'TLSv1.3', cipher: 'x', earliestCertExpiry: 1_900_000_000 };
  bus.emit('result', result('api', {}, { tls }));
  bus.emit('result', result('api', { ok: false, reason: 'reset' }, { tls }));
  bus.emit('scheduler.skipped', { check: 'api', kind: 'http' });
  bus.emit('result', result('web'));
  assert.ok((await body(sink)).includes('check="api"'));

  sink.removeCheck('api');
  let text = await body(sink);
  assert.ok(!text.includes('check="api"'), 'a series of the removed check remains');
  assert.ok(text.includes(`probe_success{check="web",kind="http",${L}} 1`));

  // A run that was in flight when its check went still ends: its result stays out.
  bus.emit('result', result('api'));
  bus.emit('result.attempt', result('api'));
  bus.emit('scheduler.skipped', { check: 'api', kind: 'http' });
  assert.ok(!(await body(sink)).includes('check="api"'), 'a late result brought a removed check back');

  // Listed again, it comes back cleanly: counters restart from its first new result.
  sink.setChecks([
    { name: 'api', kind: 'http' },
    { name: 'web', kind: 'http' },
  ]);
  bus.emit('result', result('api'));
  assert.ok(
    samples(await body(sink)).includes(
      `canary_probe_runs_total{result="success",reason="",check="api",kind="http",${L}} 1`,
    ),
  );

  // A result not yet scraped must not bring the series back after removal.
  bus.emit('result', result('web', { ok: false, reason: 'dns' }));
  sink.removeCheck('web');
  assert.ok(!(await body(sink)).includes('check="web"'), 'a pending result of a removed check was exported');
  bus.emit('result', result('web'));

  sink.setChecks([{ name: 'api', kind: 'http' }]);
  text = await body(sink);
  assert.ok(!text.includes('check="web"'), 'setChecks must drop the series of a check no longer configured');
  assert.ok(text.includes('check="api"'));
  assert.ok(samples(text).includes(`canary_checks{kind="http",${L}} 1`));
  bus.emit('result', result('web'));
  assert.ok(!(await body(sink)).includes('check="web"'), 'a result of a check no longer configured was exported');
});

test('results of disabled checks, unknown checks or a kind the check no longer has are not exported', async () => {
  const { bus, sink } = makeSink({
    checks: [
      { name: 'api', kind: 'http', enabled: false },
      { name: 'db', kind: 'tcp' },
    ],
  });
  bus.emit('result', result('api'));
  bus.emit('result', result('ghost'));
  bus.emit('result', result('db'));
  let text = await body(sink);
  assert.ok(!text.includes('check="api"') && !text.includes('check="ghost"') && !text.includes('check="db"'), text);

  // The check changes kind on a reload: the old kind's late result stays out, the new one counts.
  sink.setChecks([{ name: 'db', kind: 'http' }]);
  bus.emit('result', result('db', { kind: 'tcp' }, { http: undefined }));
  bus.emit('result', result('db'));
  text = await body(sink);
  assert.ok(samples(text).includes(`probe_success{check="db",kind="http",${L}} 1`));
  assert.ok(!text.includes('check="db",kind="tcp"'));
});

test('setReloadResult sets the flag and stamps only successes', async (t) => {
  // Mocked Date: the next success is a second later without the test waiting one out.
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
  const { sink } = makeSink();
  const stamp = async () =>
    Number(/canary_config_last_reload_success_timestamp_seconds\{[^}]*\} (\S+)/.exec(await body(sink))?.[1]);
  const first = await stamp();
  assert.ok(Math.abs(first - Date.now() / 1000) < 60, `timestamp ${first} is not now`);
  sink.setReloadResult(false);
  assert.ok(samples(await body(sink)).includes(`canary_config_last_reload_successful{${L}} 0`));
  assert.equal(await stamp(), first);
  t.mock.timers.tick(1_000);
  sink.setReloadResult(true);
  assert.ok(samples(await body(sink)).includes(`canary_config_last_reload_successful{${L}} 1`));
  assert.ok((await stamp()) > first);
});

test('OpenMetrics on request, without breaking counter names of the Prometheus format', async () => {
  const { bus, sink } = makeSink();
  bus.emit('result', result('api'));
  const prometheusAccept =
    'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
  const [om, prom, om2] = await Promise.all([
    sink.metrics(prometheusAccept),
    sink.metrics(),
    sink.metrics('application/openmetrics-text'),
  ]);
  for (const payload of [om, om2]) {
    assert.equal(payload.contentType, 'application/openmetrics-text; version=1.0.0; charset=utf-8');
    assert.ok(payload.body.endsWith('# EOF\n'));
    assert.match(payload.body, /^# TYPE canary_probe_runs counter$/m);
    assert.ok(
      payload.body.includes(`\ncanary_probe_runs_total{result="success",reason="",check="api",kind="http",${L}} 1\n`),
    );
  }
  assert.equal(prom.contentType, 'text/plain; version=0.0.4; charset=utf-8');
  const after = await sink.metrics('text/plain');
  for (const text of [prom.body, after.body]) {
    assert.match(text, /^# TYPE canary_probe_runs_total counter$/m);
    assert.match(text, /^# TYPE canary_process_cpu_seconds_total counter$/m);
    assert.ok(!text.includes('# EOF'));
  }
  // The registry stays OpenMetrics-typed between renders, as exemplar metrics need.
  assert.equal(sink.registry.contentType, 'application/openmetrics-text; version=1.0.0; charset=utf-8');
});

test('each sink has its own registry, and close() stops updates', async () => {
  const a = makeSink();
  const b = makeSink({ region: 'us-east-1' });
  a.bus.emit('result', result('only-in-a'));
  assert.ok(!(await body(b.sink)).includes('only-in-a'));
  a.sink.close();
  a.bus.emit('result', result('api', { ok: false, reason: 'dns' }));
  assert.ok(!(await body(a.sink)).includes('check="api"'));
});

test('check labels from the config are exported once per check on canary_check_info, rebuilt on setChecks', async () => {
  const { sink } = makeSink({
    checks: [
      { name: 'api', kind: 'http', target: 'https://api.example/', labels: { service: 'search', tier: '1' } },
      { name: 'web', kind: 'http', target: 'https://www.example/', labels: { service: 'site' } },
    ],
  });
  const text = (await sink.metrics()).body;
  assert.match(
    text,
    new RegExp(
      `^canary_check_info\\{check="api",kind="http",target="https://api.example/",service="search",tier="1",${L}\\} 1$`,
      'm',
    ),
  );
  assert.match(
    text,
    new RegExp(
      `^canary_check_info\\{check="web",kind="http",target="https://www.example/",service="site",tier="",${L}\\} 1$`,
      'm',
    ),
  );
  sink.setChecks([{ name: 'web', kind: 'http', target: 'https://www.example/', labels: { owner: 'edge' } }]);
  const after = (await sink.metrics()).body;
  assert.doesNotMatch(after, /canary_check_info\{check="api"/);
  assert.match(
    after,
    new RegExp(
      `^canary_check_info\\{check="web",kind="http",target="https://www.example/",owner="edge",${L}\\} 1$`,
      'm',
    ),
  );
});

test('each scrape shows what the render before it took and how long it held the event loop, on either thread', async () => {
  for (const renderThread of [false, true]) {
    const { bus, sink } = makeSink({ renderThread });
    try {
      bus.emit('result', result('api'));
      const gauge = (text: string, name: string): number => {
        const [sample] = parsedSamples(text, name);
        assert.ok(sample, `${name} is exported`);
        return sample.value;
      };
      const first = (await sink.metrics()).body;
      assert.equal(gauge(first, 'canary_exposition_last_render_seconds'), 0, 'no render before the first');
      const second = (await sink.metrics()).body;
      const seconds = gauge(second, 'canary_exposition_last_render_seconds');
      const hold = gauge(second, 'canary_exposition_last_render_hold_seconds');
      assert.ok(seconds > 0, `renderThread ${renderThread}: the first render took ${seconds} s`);
      assert.ok(hold > 0 && hold <= seconds, `renderThread ${renderThread}: held ${hold} s of ${seconds} s`);
    } finally {
      sink.close();
    }
  }
});
