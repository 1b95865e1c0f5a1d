import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createHttpProbe } from '../../src/probes/http.js';
import { createTcpProbe } from '../../src/probes/tcp.js';
import type { AddressVet } from '../../src/probes/types.js';
import { sampleValue, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { makeCheck } from '../helpers/kind-checks.js';
import { closedPort, startHttpServer, startTcpServer, type HttpTestServer } from '../helpers/servers.js';

const MAX_IN_FLIGHT = 2;

function agentYaml(server: string): string {
  return [
    server,
    'exporters: { log: { level: silent } }',
    'modules:',
    '  http_2xx: { prober: http, timeout: 5s }',
    '  unbounded: { prober: http }',
    '  tcp_connect: { prober: tcp, timeout: 2s }',
    '  sentinel:',
    '    prober: http',
    '    http: { headers: { X-Custom: SENTINEL123 } }',
    '    expect: { headers: [ { name: x-echo, equals: expected } ] }',
  ].join('\n');
}

/** GET with the response headers, which the agent helper does not keep. */
async function get(base: string, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(new URL(path, base), { headers });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

describe('GET /probe limits: refused targets, the in-flight cap, hostile headers, debug redaction', () => {
  let agent: TestAgent;
  let target: HttpTestServer;
  /** Responses the target holds open until the test lets them go. */
  const held: ServerResponse[] = [];
  let onHeld: (() => void) | undefined;

  before(async () => {
    target = await startHttpServer((req, res) => {
      if (req.url === '/hold') {
        held.push(res);
        onHeld?.();
        return;
      }
      if (req.url?.startsWith('/to?')) {
        return void res.writeHead(302, { location: new URL(req.url, 'http://x').searchParams.get('url')! }).end();
      }
      if (req.url === '/echo') return void res.writeHead(200, { 'x-echo': String(req.headers['x-custom']) }).end();
      res.end('ok');
    });
    agent = await startTestAgent(
      agentYaml(`server: { listen: "127.0.0.1:0", probe: { maxInFlight: ${MAX_IN_FLIGHT} } }`),
    );
  });
  after(async () => {
    for (const res of held) res.end();
    await agent?.stop();
    await target?.close();
  });

  function heldCount(n: number): Promise<void> {
    return new Promise((resolve) => {
      onHeld = () => held.length >= n && resolve();
      onHeld();
    });
  }

  test('beyond server.probe.maxInFlight: 503 with Retry-After and a reason; the probes in flight complete', async () => {
    const before = await agent.get('/metrics');
    const overloadedBefore = sampleValue(before.body, 'canary_probe_requests_total', { result: 'overloaded' }) ?? 0;
    const slow = Array.from({ length: MAX_IN_FLIGHT }, () =>
      get(agent.url, `/probe?module=unbounded&target=${target.origin}/hold`),
    );
    await heldCount(MAX_IN_FLIGHT);
    const over = await get(agent.url, `/probe?module=http_2xx&target=${target.origin}/`);
    assert.equal(over.status, 503);
    assert.equal(over.headers.get('retry-after'), '1');
    assert.equal(over.body, `Too many probes in flight (server.probe.maxInFlight: ${MAX_IN_FLIGHT}); retry shortly\n`);
    for (const res of held.splice(0)) res.end('done');
    for (const done of await Promise.all(slow)) {
      assert.equal(done.status, 200);
      assert.equal(sampleValue(done.body, 'probe_success'), 1);
    }
    const again = await get(agent.url, `/probe?module=http_2xx&target=${target.origin}/`);
    assert.equal(again.status, 200, 'the slots are free again');
    const now = await agent.get('/metrics');
    assert.equal(
      sampleValue(now.body, 'canary_probe_requests_total', { module: 'http_2xx', result: 'overloaded' }),
      overloadedBefore + 1,
    );
  });

  test('metadata, link-local and the agent itself are refused with 403 and a reason, and counted', async () => {
    const port = Number(new URL(agent.url).port);
    const refused: [string, RegExp][] = [
      ['module=http_2xx&target=http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a cloud metadata/],
      ['module=http_2xx&target=http://[::ffff:169.254.169.254]/', /is a cloud metadata address/],
      ['module=http_2xx&target=http://100.100.100.200/', /Alibaba Cloud/],
      ['module=tcp_connect&target=169.254.0.1:22', /169\.254\.0\.1 is link-local/],
      [
        'module=http_2xx&target=http://metadata.google.internal/',
        /metadata\.google\.internal is a cloud metadata name/,
      ],
      [`module=http_2xx&target=${agent.url}metrics`, new RegExp(`127\\.0\\.0\\.1 port ${port} is this agent's own`)],
      [`module=http_2xx&target=localhost:${port}/-/reload`, /this agent's own server/],
      [`module=tcp_connect&target=0.0.0.0:${port}`, /this agent's own server/],
    ];
    const before = await agent.get('/metrics');
    const was =
      sampleValue(before.body, 'canary_probe_requests_total', { module: 'http_2xx', result: 'forbidden' }) ?? 0;
    for (const [query, reason] of refused) {
      const res = await get(agent.url, `/probe?${query}&debug=true`);
      assert.equal(res.status, 403, query);
      assert.match(res.body, /^Probe target refused: /, query);
      assert.match(res.body, reason, query);
    }
    const now = await agent.get('/metrics');
    assert.equal(
      sampleValue(now.body, 'canary_probe_requests_total', { module: 'http_2xx', result: 'forbidden' }),
      was + 6,
    );
    const open = await get(agent.url, `/probe?module=http_2xx&target=${target.origin}/`);
    assert.equal(sampleValue(open.body, 'probe_success'), 1, 'without an allow list other targets stay open');
  });

  test('a redirect to a refused address fails the probe without connecting there', async () => {
    const own = `${agent.url}metrics`;
    const res = await get(agent.url, `/probe?module=http_2xx&debug=true&target=${target.origin}/to?url=${own}`);
    assert.equal(res.status, 200, 'the target itself is allowed');
    assert.match(res.body, /\nprobe_success 0\n/);
    assert.match(
      res.body,
      /reason=connect err="connection to 127\.0\.0\.1 refused by server\.probe: 127\.0\.0\.1 port \d+ is this agent's own server/,
    );
  });

  test('a hostile timeout header is a 400 with a reason, never a 5xx', async () => {
    for (const value of ['soon', '-1', 'NaN', 'Infinity', '1e999', '0x']) {
      const res = await get(agent.url, `/probe?module=http_2xx&target=${target.origin}/`, {
        'x-prometheus-scrape-timeout-seconds': value,
      });
      assert.equal(res.status, 400, value);
      assert.match(res.body, /^Failed to parse timeout from Prometheus header: strconv\.ParseFloat: parsing /, value);
    }
  });

  test('the scrape timeout header is clamped to the module timeout', async () => {
    const res = await get(agent.url, `/probe?module=http_2xx&target=${target.origin}/&debug=true`, {
      'x-prometheus-scrape-timeout-seconds': '30',
    });
    assert.match(res.body, /msg="Beginning probe" probe=http timeout_seconds=5\n/, 'min(30 - 0.5, 5)');
    const short = await get(agent.url, `/probe?module=http_2xx&target=${target.origin}/&debug=true`, {
      'x-prometheus-scrape-timeout-seconds': '3',
    });
    assert.match(short.body, /timeout_seconds=2\.5\n/, 'min(3 - 0.5, 5)');
  });

  test('debug=true redacts header values by value, under any header name', async () => {
    const res = await get(agent.url, `/probe?module=sentinel&target=${target.origin}/echo&debug=true`);
    assert.equal(res.status, 200);
    assert.equal(target.requests.at(-1)?.headers['x-custom'], 'SENTINEL123', 'the probe sent the value');
    assert.match(res.body, /msg="Expectation failed" .* actual="\\"<secret>\\""\n/, 'the echo was logged, redacted');
    assert.match(res.body, /X-Custom: <secret>/);
    assert.doesNotMatch(res.body, /SENTINEL123/);
  });
});

describe('GET /probe with server.probe.allow', () => {
  let agent: TestAgent;
  let target: HttpTestServer;
  let port: number;

  before(async () => {
    target = await startHttpServer((_req, res) => void res.end('ok'));
    port = await closedPort();
    const allow = `["127.0.0.1", "localhost:${target.port}", "127.0.0.1:${port}", "*.example.invalid"]`;
    agent = await startTestAgent(agentYaml(`server: { listen: "127.0.0.1:${port}", probe: { allow: ${allow} } }`));
  });
  after(async () => {
    await agent?.stop();
    await target?.close();
  });

  test('listed IPs, names and ports are probed; anything else is refused before probing', async () => {
    const listed = await get(agent.url, `/probe?module=http_2xx&target=${target.origin}/`);
    assert.equal(sampleValue(listed.body, 'probe_success'), 1);
    const byName = await get(agent.url, `/probe?module=http_2xx&target=http://localhost:${target.port}/`);
    assert.equal(byName.status, 200, byName.body);
    const seen = target.requests.length;
    const other = await get(agent.url, `/probe?module=http_2xx&target=http://127.0.0.2:${target.port}/`);
    assert.equal(other.status, 403);
    assert.equal(other.body, 'Probe target refused: 127.0.0.2 is not in server.probe.allow\n');
    const name = await get(agent.url, `/probe?module=tcp_connect&target=made-up.test:80`);
    assert.equal(name.body, 'Probe target refused: made-up.test is not in server.probe.allow\n');
    assert.equal(target.requests.length, seen, 'nothing refused reached a target');
  });

  test("the agent's own endpoint, listed with its port, may be probed", async () => {
    const self = await get(agent.url, `/probe?module=http_2xx&target=http://127.0.0.1:${port}/healthz`);
    assert.equal(self.status, 200, self.body);
    assert.equal(sampleValue(self.body, 'probe_success'), 1);
  });
});

describe('probes ask the address vet before every connection', () => {
  const refuseAll: AddressVet = (host, address, port) => `${host} ${address} ${port} vetoed`;
  const signal = () => AbortSignal.timeout(5_000);

  test('http: no connection is made, the probe fails with the reason', async () => {
    const target = await startHttpServer((_req, res) => void res.end('ok'));
    try {
      const check = makeCheck('http', { target: `${target.origin}/` });
      const o = await createHttpProbe().run(check, { signal: signal(), vetAddress: refuseAll });
      assert.equal(o.ok, false);
      assert.equal(o.reason, 'connect');
      assert.equal(
        o.message,
        `connection to 127.0.0.1 refused by server.probe: 127.0.0.1 127.0.0.1 ${target.port} vetoed (EACCES)`,
      );
      assert.equal(target.accepted, 0);
      const allowed = await createHttpProbe().run(check, { signal: signal(), vetAddress: () => undefined });
      assert.equal(allowed.ok, true, allowed.message);
    } finally {
      await target.close();
    }
  });

  test('tcp: a name is vetoed by the address it resolved to', async () => {
    const server = await startTcpServer((socket) => socket.end());
    try {
      const seen: string[] = [];
      const vet: AddressVet = (host, address) => (seen.push(`${host}=${address}`), 'no');
      const check = makeCheck('tcp', { target: `localhost:${server.port}`, tcp: { ipFamily: 'ipv4' } });
      const o = await createTcpProbe().run(check, { signal: signal(), vetAddress: vet });
      assert.equal(o.ok, false);
      assert.match(o.message ?? '', /^connection to localhost refused by server\.probe: no \(EACCES\)$/);
      assert.deepEqual(seen, ['localhost=127.0.0.1']);
      assert.equal(server.accepted, 0);
    } finally {
      await server.close();
    }
  });
});
