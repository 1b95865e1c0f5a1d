import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { haveOpenssl, makeTestCerts, type TestCerts } from '../helpers/certs.js';
import { sampleValue, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { findTool, promtoolCheckMetrics } from '../helpers/promtool.js';
import { rawGet } from '../helpers/raw-http.js';
import type { Server } from '@grpc/grpc-js';
import { startGrpcHealth } from '../helpers/grpc-health.js';
import {
  startHttpServer,
  startHttpsServer,
  startTcpServer,
  closedPort,
  type HttpTestServer,
  type TestServer,
} from '../helpers/servers.js';

const LAST_MODIFIED = 'Wed, 21 Oct 2015 07:28:00 GMT';

/** Every `probe_*` family an HTTP probe answers, always. */
const HTTP_FAMILIES = [
  'probe_dns_lookup_time_seconds',
  'probe_duration_seconds',
  'probe_failed_due_to_regex',
  'probe_http_content_length',
  'probe_http_duration_seconds',
  'probe_http_redirects',
  'probe_http_ssl',
  'probe_http_status_code',
  'probe_http_uncompressed_body_length',
  'probe_http_version',
  'probe_ip_protocol',
  'probe_success',
];

function families(exposition: string): string[] {
  return exposition
    .split('\n')
    .filter((line) => line.startsWith('# TYPE '))
    .map((line) => line.split(' ')[2] ?? '');
}

function agentYaml(caPath: string | undefined): string {
  return [
    'server: { listen: "127.0.0.1:0" }',
    'exporters: { log: { level: silent } }',
    'modules:',
    '  http_2xx: { prober: http, timeout: 5s }',
    '  slow_module: { prober: http, timeout: 300ms }',
    '  unbounded: { prober: http }',
    '  body_ok:',
    '    prober: http',
    '    expect: { body: [ { matches: "^hello" } ] }',
    '  secret_header:',
    '    prober: http',
    '    http: { headers: { authorization: "Bearer hunter2" } }',
    ...(caPath ? ['  https_2xx:', '    prober: http', `    tls: { ca: ${JSON.stringify(caPath)} }`] : []),
  ].join('\n');
}

describe('GET /probe (blackbox_exporter compatible)', async () => {
  const tls = await haveOpenssl();
  let certs: TestCerts | undefined;
  let agent: TestAgent;
  let target: HttpTestServer;
  let secure: HttpTestServer | undefined;

  before(async () => {
    certs = tls ? await makeTestCerts() : undefined;
    target = await startHttpServer((req, res) => {
      if (req.url === '/slow') {
        const timer = setTimeout(() => res.end('late'), 3_000);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      if (req.url === '/missing') return void res.writeHead(404).end('no');
      if (req.url === '/bye') return void res.end('goodbye');
      if (req.url === '/moved') return void res.writeHead(302, { location: '/' }).end();
      res.writeHead(200, { 'content-length': '11', 'last-modified': LAST_MODIFIED }).end('hello world');
    });
    if (certs) secure = await startHttpsServer(certs.localhost, (_req, res) => void res.end('secure'));
    agent = await startTestAgent(agentYaml(certs?.ca.certPath));
  });
  after(async () => {
    await agent?.stop();
    await target?.close();
    await secure?.close();
    await certs?.cleanup();
  });

  test('a healthy target: blackbox names and values, no check or kind labels', async () => {
    const res = await agent.get(`/probe?module=http_2xx&target=${encodeURIComponent(`${target.origin}/moved`)}`);
    assert.equal(res.status, 200);
    assert.match(res.contentType, /^text\/plain; version=0\.0\.4/);
    assert.deepEqual(families(res.body), [...HTTP_FAMILIES, 'probe_http_last_modified_timestamp_seconds'].sort());
    assert.equal(sampleValue(res.body, 'probe_success'), 1);
    assert.equal(sampleValue(res.body, 'probe_http_status_code'), 200);
    assert.equal(sampleValue(res.body, 'probe_http_redirects'), 1);
    assert.equal(sampleValue(res.body, 'probe_http_ssl'), 0);
    assert.equal(sampleValue(res.body, 'probe_http_version'), 1.1);
    assert.equal(sampleValue(res.body, 'probe_http_content_length'), 11);
    assert.equal(sampleValue(res.body, 'probe_http_uncompressed_body_length'), 11);
    assert.equal(sampleValue(res.body, 'probe_ip_protocol'), 4);
    assert.equal(sampleValue(res.body, 'probe_failed_due_to_regex'), 0);
    assert.equal(sampleValue(res.body, 'probe_http_last_modified_timestamp_seconds'), Date.parse(LAST_MODIFIED) / 1000);
    for (const phase of ['resolve', 'connect', 'tls', 'processing', 'transfer']) {
      assert.ok(sampleValue(res.body, 'probe_http_duration_seconds', { phase }) !== undefined, `phase ${phase}`);
    }
    assert.ok((sampleValue(res.body, 'probe_duration_seconds') ?? 0) > 0);
    assert.match(res.body, /# HELP probe_success Displays whether or not the probe was a success\n/);
    assert.doesNotMatch(res.body, /check=|kind=|region=/);
  });

  test('a /probe request target that does not parse is a 400 with a reason, and /probe keeps answering', async () => {
    const bad = await rawGet(agent.url, `/probe[?module=http_2xx&target=${target.origin}/`);
    assert.deepEqual(bad, { status: 400, body: 'bad request target: not an RFC 3986 path or absolute URL' });
    const res = await agent.get(`/probe?module=http_2xx&target=${encodeURIComponent(`${target.origin}/`)}`);
    assert.equal(res.status, 200);
    assert.match(res.body, /^probe_success 1$/m);
  });

  test('the answer passes promtool check metrics with no warnings', async (t) => {
    const promtool = findTool('promtool');
    if (!promtool) return t.skip('promtool not found in PATH (apt-get install prometheus); .ci/run installs it');
    const res = await agent.get(`/probe?module=http_2xx&target=${target.origin}/`);
    const lint = await promtoolCheckMetrics(promtool, res.body);
    assert.equal(lint.code, 0, lint.stdout + lint.stderr);
    assert.equal(lint.stdout + lint.stderr, '');
  });

  test('a target without a scheme is probed over http://, as blackbox does', async () => {
    const res = await agent.get(`/probe?module=http_2xx&target=127.0.0.1:${target.port}`);
    assert.equal(sampleValue(res.body, 'probe_success'), 1);
  });

  test('a failing status and a refused port answer 200 with probe_success 0', async () => {
    const missing = await agent.get(`/probe?module=http_2xx&target=${target.origin}/missing`);
    assert.equal(missing.status, 200);
    assert.equal(sampleValue(missing.body, 'probe_success'), 0);
    assert.equal(sampleValue(missing.body, 'probe_http_status_code'), 404);
    const refused = await agent.get(`/probe?module=http_2xx&target=http://127.0.0.1:${await closedPort()}/`);
    assert.equal(sampleValue(refused.body, 'probe_success'), 0);
    assert.equal(sampleValue(refused.body, 'probe_http_status_code'), 0);
    assert.equal(sampleValue(refused.body, 'probe_http_content_length'), 0);
  });

  test('a failed body expectation sets probe_failed_due_to_regex', async () => {
    const good = await agent.get(`/probe?module=body_ok&target=${target.origin}/`);
    assert.equal(sampleValue(good.body, 'probe_failed_due_to_regex'), 0);
    assert.equal(sampleValue(good.body, 'probe_success'), 1);
    const bad = await agent.get(`/probe?module=body_ok&target=${target.origin}/bye`);
    assert.equal(sampleValue(bad.body, 'probe_success'), 0);
    assert.equal(sampleValue(bad.body, 'probe_failed_due_to_regex'), 1);
    const missing = await agent.get(`/probe?module=body_ok&target=${target.origin}/missing`);
    assert.equal(sampleValue(missing.body, 'probe_success'), 0);
    assert.equal(
      sampleValue(missing.body, 'probe_failed_due_to_regex'),
      0,
      'blackbox judges regexes only after a good status',
    );
  });

  test('https: TLS metrics appear', async (t) => {
    if (!secure || !certs) return t.skip('openssl not found');
    const res = await agent.get(`/probe?module=https_2xx&target=${secure.origin}/`);
    assert.equal(sampleValue(res.body, 'probe_success'), 1, res.body);
    assert.equal(sampleValue(res.body, 'probe_http_ssl'), 1);
    assert.equal(sampleValue(res.body, 'probe_ssl_earliest_cert_expiry'), certs.localhost.notAfter);
    assert.equal(sampleValue(res.body, 'probe_tls_version_info', { version: 'TLS 1.3' }), 1);
    assert.ok((sampleValue(res.body, 'probe_http_duration_seconds', { phase: 'tls' }) ?? 0) > 0);
  });

  test('errors in blackbox words: unknown module, missing target, bad timeout header', async () => {
    const unknown = await agent.get(`/probe?module=nope&target=${target.origin}/`);
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body, 'Unknown module "nope"\n');
    const inherited = await agent.get(`/probe?module=constructor&target=${target.origin}/`);
    assert.equal(inherited.status, 400);
    const missing = await agent.get('/probe?module=http_2xx');
    assert.equal(missing.status, 400);
    assert.equal(missing.body, 'Target parameter is missing\n');
    const header = await agent.get(`/probe?module=http_2xx&target=${target.origin}/`, {
      'x-prometheus-scrape-timeout-seconds': 'soon',
    });
    assert.equal(header.status, 400, "the header is the client's mistake: not a 5xx, unlike blackbox_exporter");
    assert.match(header.body, /^Failed to parse timeout from Prometheus header: /);
  });

  test('module defaults to http_2xx, as in blackbox', async () => {
    const res = await agent.get(`/probe?target=${target.origin}/`);
    assert.equal(res.status, 200);
    assert.equal(sampleValue(res.body, 'probe_success'), 1);
  });

  test('the scrape timeout header bounds the probe (less 0.5s); a shorter module timeout wins', async () => {
    const slow = `${target.origin}/slow`;
    const bounded = await agent.get(`/probe?module=unbounded&target=${slow}&debug=true`, {
      'x-prometheus-scrape-timeout-seconds': '1',
    });
    assert.equal(bounded.status, 200);
    assert.match(bounded.body, /msg="Beginning probe" probe=http timeout_seconds=0\.5\n/);
    assert.match(bounded.body, /\nprobe_success 0\n/);
    assert.match(bounded.body, /reason=timeout/);
    const module = await agent.get(`/probe?module=slow_module&target=${slow}&debug=true`, {
      'x-prometheus-scrape-timeout-seconds': '10',
    });
    assert.match(module.body, /timeout_seconds=0\.3\n/);
    assert.match(module.body, /\nprobe_success 0\n/);
    const header = await agent.get(`/probe?module=http_2xx&target=${slow}&debug=true`, {
      'x-prometheus-scrape-timeout-seconds': '2',
    });
    assert.match(header.body, /timeout_seconds=1\.5\n/, 'header 2s less 0.5s is under the module 5s');
    // A header no timer can hold: counted as 120s, not an error (it was a 500).
    const huge = await agent.get(`/probe?module=unbounded&target=${target.origin}/&debug=true`, {
      'x-prometheus-scrape-timeout-seconds': '1e9',
    });
    assert.equal(huge.status, 200);
    assert.match(huge.body, /timeout_seconds=119\.5\n/);
    assert.match(huge.body, /\nprobe_success 1\n/);
  });

  test('debug=true answers text/plain: the log, the metrics, the module (secrets redacted)', async () => {
    const res = await agent.get(`/probe?module=secret_header&target=${target.origin}/missing&debug=true`);
    assert.equal(res.status, 200);
    assert.match(res.contentType, /^text\/plain/);
    const [logs, rest] = res.body.split('\n\n\nMetrics that would have been returned:\n');
    const [metrics, module] = (rest ?? '').split('\n\n\nModule configuration:\n');
    assert.match(logs ?? '', /^Logs for the probe:\n/);
    assert.match(
      logs ?? '',
      /module=secret_header target=http:\/\/127\.0\.0\.1:\d+\/missing level=info msg="Beginning probe"/,
    );
    assert.match(logs ?? '', /msg="Received HTTP response" status_code=404/);
    assert.match(
      logs ?? '',
      /level=error msg="Expectation failed" expectation=status expected="one of 2xx" actual=404/,
    );
    assert.match(logs ?? '', /level=error msg="Probe failed" duration_seconds=/);
    assert.equal(sampleValue(metrics ?? '', 'probe_success'), 0);
    assert.match(module ?? '', /^prober: http\n/);
    assert.match(module ?? '', /authorization: <secret>/);
    assert.doesNotMatch(res.body, /hunter2/);
  });

  test('the password and secret query values of a target read REDACTED in the probe log, scheme or not', async () => {
    const host = target.origin.replace('http://', '');
    for (const [given, shown] of [
      [`http://bob:PrbPass123@${host}/missing?token=PrbTok456&q=1`, 'http://REDACTED:REDACTED@'],
      [`bob:PrbPass123@${host}/missing?token=PrbTok456&q=1`, 'REDACTED:REDACTED@'],
    ] as const) {
      const seen = target.requests.length;
      const res = await agent.get(`/probe?module=http_2xx&target=${encodeURIComponent(given)}&debug=true`);
      assert.equal(res.status, 200);
      // The probe went out with the credentials: the log hides them, the request does not.
      assert.equal(target.requests.at(seen)?.url, '/missing?token=PrbTok456&q=1');
      assert.ok(res.body.includes(`target="${shown}${host}/missing?token=REDACTED&q=1"`), res.body);
      assert.doesNotMatch(res.body, /PrbPass123|PrbTok456/);
    }
  });

  test('requests are counted on /metrics by module and result', async () => {
    const before = await agent.get('/metrics');
    const was = sampleValue(before.body, 'canary_probe_requests_total', { module: 'http_2xx', result: 'success' }) ?? 0;
    await agent.get(`/probe?module=http_2xx&target=${target.origin}/`);
    await agent.get('/probe?module=nope&target=x');
    const now = await agent.get('/metrics');
    assert.equal(
      sampleValue(now.body, 'canary_probe_requests_total', { module: 'http_2xx', result: 'success' }),
      was + 1,
    );
    assert.ok((sampleValue(now.body, 'canary_probe_requests_total', { module: '', result: 'bad_request' }) ?? 0) >= 1);
    assert.equal(
      sampleValue(now.body, 'probe_success', { check: 'http_2xx' }),
      undefined,
      'probes from /probe do not become check series',
    );
  });
});

describe("GET /probe on an agent whose config writes no modules: blackbox_exporter's defaults", () => {
  let agent: TestAgent;
  let target: HttpTestServer;
  let ssh: TestServer;
  let grpc: { server: Server; port: number };

  before(async () => {
    target = await startHttpServer((_req, res) => void res.end('ok'));
    // Greets as an SSH server does, then reads what the client sends.
    ssh = await startTcpServer((socket) => {
      socket.on('error', () => {});
      socket.write('SSH-2.0-OpenSSH_9.2\r\n');
      socket.on('data', (data) => sshSent.push(data.toString()));
    });
    // blackbox's grpc_plain asks for the health of "service1".
    grpc = await startGrpcHealth({ service1: 1 });
    agent = await startTestAgent('server: { listen: "127.0.0.1:0" }');
  });
  after(async () => {
    await agent?.stop();
    await target?.close();
    await ssh?.close();
    grpc?.server.forceShutdown();
  });
  const sshSent: string[] = [];

  test('http_2xx, http_post_2xx and tcp_connect probe; another name is still unknown', async () => {
    const get = await agent.get(`/probe?module=http_2xx&target=${target.origin}/`);
    assert.equal(sampleValue(get.body, 'probe_success'), 1, get.body);
    const post = await agent.get(`/probe?module=http_post_2xx&target=${target.origin}/`);
    assert.equal(sampleValue(post.body, 'probe_success'), 1, post.body);
    assert.equal(target.requests.at(-1)?.method, 'POST');
    const tcp = await agent.get(`/probe?module=tcp_connect&target=127.0.0.1:${target.port}`);
    assert.equal(sampleValue(tcp.body, 'probe_success'), 1, tcp.body);
    const unknown = await agent.get(`/probe?module=dns_udp&target=127.0.0.1:53`);
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body, 'Unknown module "dns_udp"\n');
  });

  test('ssh_banner and grpc_plain probe as blackbox_exporter writes them; a wrong server fails them', async () => {
    const banner = await agent.get(`/probe?module=ssh_banner&target=127.0.0.1:${ssh.port}`);
    assert.equal(sampleValue(banner.body, 'probe_success'), 1, banner.body);
    assert.match(sshSent.join(''), /^SSH-2\.0-blackbox-ssh-check/);
    const notSsh = await agent.get(`/probe?module=ssh_banner&target=127.0.0.1:${target.port}`);
    assert.equal(sampleValue(notSsh.body, 'probe_success'), 0, notSsh.body);
    const health = await agent.get(`/probe?module=grpc_plain&target=127.0.0.1:${grpc.port}`);
    assert.equal(sampleValue(health.body, 'probe_success'), 1, health.body);
    const notGrpc = await agent.get(`/probe?module=grpc_plain&target=127.0.0.1:${target.port}`);
    assert.equal(sampleValue(notGrpc.body, 'probe_success'), 0, notGrpc.body);
  });
});
