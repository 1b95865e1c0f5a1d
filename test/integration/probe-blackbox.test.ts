import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Server } from '@grpc/grpc-js';
import { sampleValue, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { findDnsmasq, startDnsmasq, type Dnsmasq } from '../helpers/dnsmasq.js';
import { startGrpcHealth } from '../helpers/grpc-health.js';
import { startHttpServer, startTcpServer, type HttpTestServer, type TestServer } from '../helpers/servers.js';

/** A blackbox_exporter file, as blackbox reads it: canary serves its modules on /probe. */
const BLACKBOX = `modules:
  http_json:
    prober: http
    timeout: 5s
    http:
      valid_status_codes: [200]
      fail_if_ssl: true
      fail_if_body_json_not_matches_cel: 'body.status == "ok" && body.count > 2'
      fail_if_header_not_matches:
        - header: Content-Type
          regexp: '(?i)^APPLICATION/JSON'
  http_json_strict:
    prober: http
    http:
      fail_if_body_json_matches_cel: 'body.count > 2'
  http_post:
    prober: http
    http:
      method: post
      body: ping
      headers: { X-Probe: blackbox }
      fail_if_body_not_matches_regexp: ['^pong ping$']
  http_not_found:
    prober: http
    http:
      valid_status_codes: [404]
      no_follow_redirects: true
  http3:
    prober: http
    http:
      enable_http3: true
      enable_http2: false
      valid_http_versions: [HTTP/3.0]
  smtp:
    prober: tcp
    timeout: 5s
    tcp:
      query_response:
        - expect: '^220 '
        - send: 'EHLO prober'
        - expect: '^250 (\\S+)'
          send: 'QUIT \${1}'
        - expect: '^221 bye canary$'
  dns_www:
    prober: dns
    timeout: 5s
    dns:
      query_name: www.canary.test
      query_type: A
      validate_answer_rrs:
        fail_if_not_matches_regexp: ['\\tA\\t192\\.0\\.2\\.10$']
  dns_www_wrong:
    prober: dns
    dns:
      query_name: www.canary.test
      query_type: A
      validate_answer_rrs:
        fail_if_none_matches_regexp: ['198\\.51\\.100\\.1']
  grpc_health:
    prober: grpc
    grpc: { service: '' }
  grpc_down:
    prober: grpc
    grpc: { service: down }
`;

describe('GET /probe with modules from a blackbox_exporter file', () => {
  const dnsmasqBinary = findDnsmasq();
  let agent: TestAgent;
  let web: HttpTestServer;
  let smtp: TestServer;
  let dnsmasq: Dnsmasq | undefined;
  let grpc: Server;
  let grpcPort = 0;

  before(async () => {
    web = await startHttpServer((req, res) => {
      if (req.url === '/missing') return void res.writeHead(404).end();
      if (req.url === '/moved') return void res.writeHead(302, { location: '/missing' }).end();
      // The recording server has read the body already.
      if (req.method === 'POST') return void res.end(`pong ${web.requests.at(-1)?.body ?? ''}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', count: 3 }));
    });
    smtp = await startTcpServer((socket: Socket) => {
      socket.on('error', () => {}).setEncoding('utf8');
      socket.write('220 ready\r\n');
      socket.on('data', (data: string) => {
        if (data.startsWith('EHLO')) socket.write('250 canary\r\n');
        if (data === 'QUIT canary\n') socket.end('221 bye canary\r\n');
      });
    });
    if (dnsmasqBinary) dnsmasq = await startDnsmasq(dnsmasqBinary);
    ({ server: grpc, port: grpcPort } = await startGrpcHealth({ '': 1, down: 2 }));
    const yaml = [
      'server: { listen: "127.0.0.1:0" }',
      'exporters: { log: { level: silent } }',
      'blackboxConfig: blackbox.yml',
    ];
    agent = await startTestAgent(yaml.join('\n'), {}, { files: { 'blackbox.yml': BLACKBOX } });
  });
  after(async () => {
    await agent?.stop();
    await web?.close();
    await smtp?.close();
    await dnsmasq?.stop();
    grpc?.forceShutdown();
  });

  const success = async (module: string, target: string) => {
    // Prometheus sends its scrape timeout; modules without `timeout:` take it from there.
    const headers = { 'x-prometheus-scrape-timeout-seconds': '5' };
    const res = await agent.get(`/probe?module=${module}&target=${encodeURIComponent(target)}`, headers);
    assert.equal(res.status, 200, res.body);
    return sampleValue(res.body, 'probe_success');
  };

  test('http: status, fail_if_ssl, a CEL match on the JSON body, a case-insensitive header regex', async () => {
    assert.equal(await success('http_json', `http://127.0.0.1:${web.port}/`), 1);
    assert.equal(
      await success('http_json_strict', `http://127.0.0.1:${web.port}/`),
      0,
      'fail_if_body_json_matches_cel',
    );
    assert.equal(await success('http_json', `http://127.0.0.1:${web.port}/missing`), 0);
  });

  test('http: method, body and headers are sent as the module says', async () => {
    assert.equal(await success('http_post', `http://127.0.0.1:${web.port}/`), 1);
    const seen = web.requests.at(-1);
    assert.equal(seen?.method, 'POST');
    assert.equal(seen?.headers['x-probe'], 'blackbox');
  });

  test('http: no_follow_redirects keeps the redirect as the answer', async () => {
    assert.equal(await success('http_not_found', `http://127.0.0.1:${web.port}/moved`), 0, '302 is not 404');
    assert.equal(await success('http_not_found', `http://127.0.0.1:${web.port}/missing`), 1);
  });

  test('a module canary cannot honour answers 400 naming the field and its place', async () => {
    const res = await agent.get(`/probe?module=http3&target=http://127.0.0.1:${web.port}/`);
    assert.equal(res.status, 400);
    assert.match(
      res.body,
      /^Module "http3" cannot be probed: canary cannot honour modules\.http3\.http\.enable_http3: HTTP\/3 is not available in canary\n$/,
    );
  });

  test('tcp: query_response with sends ending in a newline and ${1} from the last expect', async () => {
    assert.equal(await success('smtp', `127.0.0.1:${smtp.port}`), 1);
  });

  test('grpc: the health service', async () => {
    assert.equal(await success('grpc_health', `127.0.0.1:${grpcPort}`), 1);
    assert.equal(await success('grpc_down', `127.0.0.1:${grpcPort}`), 0);
  });

  test('dns: query_name and the record validators', async (t) => {
    if (!dnsmasq) return t.skip('dnsmasq not found (apt-get install dnsmasq-base)');
    assert.equal(await success('dns_www', dnsmasq.server), 1);
    assert.equal(await success('dns_www_wrong', dnsmasq.server), 0);
  });
});
