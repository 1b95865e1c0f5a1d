import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Server } from '@grpc/grpc-js';
import { sampleValue, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { haveOpenssl, makeTestCerts, type TestCerts } from '../helpers/certs.js';
import { findDnsmasq, startDnsmasq, type Dnsmasq } from '../helpers/dnsmasq.js';
import { startGrpcHealth } from '../helpers/grpc-health.js';
import { findTool, promtoolCheckMetrics } from '../helpers/promtool.js';
import { closedPort, startHttpsServer, startTcpServer, type TestServer } from '../helpers/servers.js';

const families = (exposition: string): string[] => [...exposition.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1] ?? '');

function agentYaml(caPath: string | undefined): string {
  return [
    'server: { listen: "127.0.0.1:0" }',
    'exporters: { log: { level: silent } }',
    'modules:',
    '  tcp_connect: { prober: tcp, timeout: 5s }',
    '  ssh_banner: { prober: tcp, timeout: 5s, tcp: { steps: [ { expect: "^SSH-2.0-" } ] } }',
    '  dns_www: { prober: dns, timeout: 5s, dns: { queryName: www.canary.test, type: A } }',
    '  dns_missing: { prober: dns, timeout: 5s, dns: { queryName: nope.canary.test } }',
    '  dns_soa: { prober: dns, timeout: 5s, dns: { queryName: canary.test, type: SOA }, expect: { rcode: [NOERROR, NXDOMAIN, REFUSED] } }',
    '  grpc_health: { prober: grpc, timeout: 5s }',
    '  grpc_down: { prober: grpc, timeout: 5s, grpc: { service: down } }',
    ...(caPath
      ? [
          `  tls_connect: { prober: tls, timeout: 5s, tls: { ca: ${JSON.stringify(caPath)} } }`,
          `  tcp_tls: { prober: tcp, timeout: 5s, tcp: { tls: true }, tls: { ca: ${JSON.stringify(caPath)} } }`,
        ]
      : []),
  ].join('\n');
}

describe('GET /probe with tcp, tls, dns and grpc modules', async () => {
  const openssl = await haveOpenssl();
  const dnsmasqBinary = findDnsmasq();
  let certs: TestCerts | undefined;
  let agent: TestAgent;
  let banner: TestServer;
  let mute: TestServer;
  let secure: TestServer | undefined;
  let dnsmasq: Dnsmasq | undefined;
  let grpc: Server;
  let grpcPort = 0;

  before(async () => {
    certs = openssl ? await makeTestCerts() : undefined;
    const greeter = (line: string) => (socket: Socket) => void socket.on('error', () => {}).end(`${line}\r\n`);
    banner = await startTcpServer(greeter('SSH-2.0-test'));
    mute = await startTcpServer(greeter('hello'));
    if (certs) secure = await startHttpsServer(certs.localhost, (_req, res) => void res.end('secure'));
    if (dnsmasqBinary) dnsmasq = await startDnsmasq(dnsmasqBinary);
    // '' is SERVING, `down` NOT_SERVING, any other name NOT_FOUND.
    ({ server: grpc, port: grpcPort } = await startGrpcHealth({ '': 1, down: 2 }));
    agent = await startTestAgent(agentYaml(certs?.ca.certPath));
  });
  after(async () => {
    await agent?.stop();
    await banner?.close();
    await mute?.close();
    await secure?.close();
    await dnsmasq?.stop();
    grpc?.forceShutdown();
    await certs?.cleanup();
  });

  test('tcp: a listening port succeeds with blackbox families; a closed one fails', async () => {
    const res = await agent.get(`/probe?module=tcp_connect&target=127.0.0.1:${banner.port}`);
    assert.equal(res.status, 200);
    assert.deepEqual(families(res.body), [
      'probe_dns_lookup_time_seconds',
      'probe_duration_seconds',
      'probe_failed_due_to_bytes',
      'probe_failed_due_to_regex',
      'probe_ip_protocol',
      'probe_success',
    ]);
    assert.equal(sampleValue(res.body, 'probe_success'), 1);
    assert.equal(sampleValue(res.body, 'probe_ip_protocol'), 4);
    assert.equal(sampleValue(res.body, 'probe_failed_due_to_regex'), 0);
    assert.match(res.body, /# HELP probe_ip_protocol Specifies whether probe ip protocol is IP4 or IP6\n/);
    const refused = await agent.get(`/probe?module=tcp_connect&target=127.0.0.1:${await closedPort()}`);
    assert.equal(refused.status, 200);
    assert.equal(sampleValue(refused.body, 'probe_success'), 0);
  });

  test('tcp: a target without a port is a failed probe that says why', async () => {
    const res = await agent.get('/probe?module=tcp_connect&target=127.0.0.1&debug=true');
    assert.equal(res.status, 200);
    assert.match(res.body, /\nprobe_success 0\n/);
    assert.match(res.body, /must be host:port/);
  });

  test('tcp: an expect that never matches sets probe_failed_due_to_regex', async () => {
    const good = await agent.get(`/probe?module=ssh_banner&target=127.0.0.1:${banner.port}`);
    assert.equal(sampleValue(good.body, 'probe_success'), 1, good.body);
    assert.equal(sampleValue(good.body, 'probe_failed_due_to_regex'), 0);
    const bad = await agent.get(`/probe?module=ssh_banner&target=127.0.0.1:${mute.port}`);
    assert.equal(sampleValue(bad.body, 'probe_success'), 0);
    assert.equal(sampleValue(bad.body, 'probe_failed_due_to_regex'), 1);
  });

  test('tls and tcp with tls: certificate expiry and TLS version', async (t) => {
    if (!secure || !certs) return t.skip('openssl not found');
    for (const module of ['tls_connect', 'tcp_tls']) {
      const res = await agent.get(`/probe?module=${module}&target=127.0.0.1:${secure.port}`);
      assert.equal(sampleValue(res.body, 'probe_success'), 1, `${module}: ${res.body}`);
      assert.equal(sampleValue(res.body, 'probe_ssl_earliest_cert_expiry'), certs.localhost.notAfter, module);
      assert.equal(sampleValue(res.body, 'probe_tls_version_info', { version: 'TLS 1.3' }), 1, module);
      assert.equal(sampleValue(res.body, 'probe_ip_protocol'), 4, module);
    }
    const plain = await agent.get(`/probe?module=tcp_connect&target=127.0.0.1:${secure.port}`);
    assert.equal(
      sampleValue(plain.body, 'probe_ssl_earliest_cert_expiry'),
      undefined,
      'no TLS families without tcp.tls',
    );
  });

  test('dns: the target is the nameserver, the module names the query', async (t) => {
    if (!dnsmasq) return t.skip('dnsmasq not found (apt-get install dnsmasq-base)');
    const res = await agent.get(`/probe?module=dns_www&target=${dnsmasq.server}`);
    assert.equal(res.status, 200);
    assert.equal(sampleValue(res.body, 'probe_success'), 1, res.body);
    assert.equal(sampleValue(res.body, 'probe_dns_answer_rrs'), 1);
    assert.equal(sampleValue(res.body, 'probe_dns_authority_rrs'), 0);
    assert.equal(sampleValue(res.body, 'probe_dns_additional_rrs'), 0);
    assert.equal(sampleValue(res.body, 'probe_dns_query_succeeded'), 1);
    assert.equal(sampleValue(res.body, 'probe_ip_protocol'), 4);
    assert.equal(sampleValue(res.body, 'probe_dns_lookup_time_seconds'), 0, 'the server is an IP: nothing to resolve');
    assert.ok((sampleValue(res.body, 'probe_dns_duration_seconds', { phase: 'request' }) ?? 0) > 0);
    assert.equal(sampleValue(res.body, 'probe_dns_serial'), undefined, 'only SOA queries have a serial');
    assert.match(
      res.body,
      /# HELP probe_dns_answer_rrs Returns number of entries in the answer resource record list\n/,
    );
    const missing = await agent.get(`/probe?module=dns_missing&target=${dnsmasq.server}`);
    assert.equal(sampleValue(missing.body, 'probe_success'), 0, 'NXDOMAIN is not a valid rcode by default');
    assert.equal(sampleValue(missing.body, 'probe_dns_query_succeeded'), 1);
    const soa = await agent.get(`/probe?module=dns_soa&target=${dnsmasq.server}`);
    assert.ok(sampleValue(soa.body, 'probe_dns_serial') !== undefined, soa.body);
  });

  test('dns: a target that is not IP[:PORT] is a failed probe that says why', async () => {
    const res = await agent.get('/probe?module=dns_www&target=localhost&debug=true');
    assert.equal(res.status, 200);
    assert.match(res.body, /\nprobe_success 0\n/);
    assert.match(res.body, /\nprobe_dns_query_succeeded 0\n/);
    assert.match(res.body, /must be the DNS server's IP address/);
    assert.match(res.body, /queryName: www\.canary\.test/, 'the module text shows the query name');
  });

  test('grpc: status code, serving status per series, ssl', async () => {
    const res = await agent.get(`/probe?module=grpc_health&target=127.0.0.1:${grpcPort}`);
    assert.equal(sampleValue(res.body, 'probe_success'), 1, res.body);
    assert.equal(sampleValue(res.body, 'probe_grpc_status_code'), 0);
    assert.equal(sampleValue(res.body, 'probe_grpc_ssl'), 0);
    assert.equal(sampleValue(res.body, 'probe_ip_protocol'), 4);
    for (const [status, value] of [
      ['SERVING', 1],
      ['NOT_SERVING', 0],
      ['UNKNOWN', 0],
      ['SERVICE_UNKNOWN', 0],
    ] as const) {
      assert.equal(sampleValue(res.body, 'probe_grpc_healthcheck_response', { serving_status: status }), value, status);
    }
    const down = await agent.get(`/probe?module=grpc_down&target=127.0.0.1:${grpcPort}`);
    assert.equal(sampleValue(down.body, 'probe_success'), 0);
    assert.equal(sampleValue(down.body, 'probe_grpc_healthcheck_response', { serving_status: 'NOT_SERVING' }), 1);
    const dead = await agent.get(`/probe?module=grpc_health&target=127.0.0.1:${await closedPort()}`);
    assert.equal(sampleValue(dead.body, 'probe_success'), 0);
    assert.equal(
      sampleValue(dead.body, 'probe_grpc_status_code'),
      14,
      'UNAVAILABLE, as blackbox reports a dead server',
    );
  });

  test('every kind answers promtool-clean metrics', async (t) => {
    const promtool = findTool('promtool');
    if (!promtool) return t.skip('promtool not found in PATH (apt-get install prometheus); .ci/run installs it');
    const urls = [
      `/probe?module=ssh_banner&target=127.0.0.1:${banner.port}`,
      `/probe?module=grpc_health&target=127.0.0.1:${grpcPort}`,
      ...(dnsmasq
        ? [`/probe?module=dns_soa&target=${dnsmasq.server}`, `/probe?module=dns_www&target=${dnsmasq.server}`]
        : []),
      ...(secure
        ? [
            `/probe?module=tls_connect&target=127.0.0.1:${secure.port}`,
            `/probe?module=tcp_tls&target=127.0.0.1:${secure.port}`,
          ]
        : []),
    ];
    for (const url of urls) {
      const res = await agent.get(url);
      const lint = await promtoolCheckMetrics(promtool, res.body);
      assert.equal(lint.code, 0, `${url}: ${lint.stdout}${lint.stderr}`);
      assert.equal(lint.stdout + lint.stderr, '', url);
    }
  });
});
