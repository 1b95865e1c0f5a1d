/**
 * Fuzzing the HTTP APIs with generated raw requests: the agent's server (control API,
 * /metrics, /probe), the fault proxy's API and the lab's control API. Every answer is
 * 2xx, 3xx or 4xx (never a 5xx), no handler fails, and each server still answers after.
 * Requests go one at a time, to loopback servers only; /probe targets are loopback too.
 *
 * Runs are seeded; `FUZZ_SEED=<seed>` replays the run fast-check reports (docs/development.md).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import fc from 'fast-check';
import { startControlServer, type ControlServer } from '../../src/lab/process/control.js';
import { startLab, type RunningLab } from '../../src/lab/process/supervisor.js';
import { startProxyApi } from '../fixtures/proxy/harness.js';
import { startTestAgent, type TestAgent } from '../helpers/agent.js';
import * as fz from '../helpers/fuzz-http.js';
import { rawRequest } from '../helpers/raw-http.js';
import { closedPort, startHttpServer, type HttpTestServer } from '../helpers/servers.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261207);
const OPTIONS = { seed: SEED, interruptAfterTimeLimit: 300_000, timeout: 30_000, includeErrorInReport: true };
const TOKEN = 'fuzz-token';

/** Sends `request` to `base` and asserts the answer is not a server error (nor no answer at all). */
async function answers(base: string, request: fz.FuzzRequest): Promise<number> {
  const { host } = new URL(base);
  const { status, body } = await rawRequest(base, fz.requestBytes(request, host), { halfClose: false });
  const shown = `${request.method} ${request.target.slice(0, 200)} -> ${status} ${body.slice(0, 300)}`;
  assert.ok(status >= 200 && status < 500, shown);
  return status;
}

/**
 * Sends `runs` generated requests to `base`, one at a time. The statuses seen are printed,
 * and some must be 2xx: a generator that never gets past the parser would test nothing.
 */
async function fuzz(t: TestContext, base: string, arbitrary: fc.Arbitrary<fz.FuzzRequest>, runs: number) {
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(arbitrary, async (request) => {
      const status = await answers(base, request);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }),
    { ...OPTIONS, numRuns: runs },
  );
  t.diagnostic(`statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
  assert.ok(
    [...statuses].some(([status]) => status < 300),
    'no request was answered 2xx',
  );
}

/** JSON bodies with the keys an API reads, holding loopback addresses or values of the wrong type. */
function jsonBody(keys: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  const hostile = fc.oneof(
    fc.constantFrom(null, true, -1, Number.MAX_VALUE, 2 ** 53, '', [], {}),
    fc.jsonValue({ maxDepth: 2 }),
  );
  const record = fc.record(
    Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, fc.oneof({ arbitrary: v, weight: 8 }, hostile)])),
    { requiredKeys: [] },
  );
  return fc.oneof(
    { arbitrary: record, weight: 4 },
    { arbitrary: fc.array(record, { maxLength: 3 }), weight: 1 },
    hostile,
  );
}

describe('agent server: control API, /metrics and /probe', () => {
  let target: HttpTestServer;
  let agent: TestAgent;
  let closed: number;

  before(async () => {
    target = await startHttpServer((_req, res) => void res.end('ok'));
    closed = await closedPort();
    const yaml = [
      'server: { listen: "127.0.0.1:0", token: fuzz-token }',
      'chaos: { stateDir: state }',
      'modules:',
      '  http_2xx: { prober: http, timeout: 1s }',
      '  tcp_connect: { prober: tcp, timeout: 1s }',
      '  tls_connect: { prober: tls, timeout: 1s }',
      '  dns_a: { prober: dns, timeout: 1s, dns: { queryName: example.com, transport: tcp } }',
      '  grpc_health: { prober: grpc, timeout: 1s }',
    ].join('\n');
    agent = await startTestAgent(yaml);
  });
  after(async () => {
    await agent?.stop();
    await target?.close();
  });

  test('1,000 generated requests answer 2xx-4xx, and the agent serves after', async (t) => {
    const port = target.port;
    const loopback = fc.oneof(
      fc.constantFrom(`127.0.0.1:${port}`, `127.0.0.1:${closed}`, `http://127.0.0.1:${port}/`),
      fz.junk.map((j) => `http://127.0.0.1:${port}/${encodeURI(j)}`),
      fz.junk.map((j) => `127.0.0.1:${port}${j.replace(/[.:\w]/g, '')}`),
      fc.constantFrom(
        '',
        'http://',
        'http://127.0.0.1:99999/',
        'file:///etc/passwd',
        'ftp://127.0.0.1/',
        '127.0.0.1:-1',
      ),
      fc.constantFrom(`http://u:p@127.0.0.1:${port}/`, `https://127.0.0.1:${port}/`, `http://127.0.0.1:${port}/%zz`),
    );
    const query = fz.queryString({
      module: fz.param(
        fc.oneof(fc.constantFrom('http_2xx', 'tcp_connect', 'tls_connect', 'dns_a', 'grpc_health'), fz.junk),
      ),
      target: fz.param(loopback),
      debug: fz.param(fc.oneof(fc.constantFrom('true', 'false', '1'), fz.junk)),
      operator: fz.param(fz.junk),
      reason: fz.param(fz.junk),
    });
    const routes = [
      '/',
      '/metrics',
      '/healthz',
      '/readyz',
      '/probe',
      '/-/reload',
      '/-/chaos/halt',
      '/-/chaos/resume',
      '/-/chaos/status',
    ];
    const headerValues = fc.oneof(
      fc.constantFrom(`Bearer ${TOKEN}`, 'Bearer nope', 'Basic Zm9vOmJhcg==', 'Bearer ', 'bearer fuzz-token'),
      fc.constantFrom(
        'application/openmetrics-text; version=1.0.0',
        'text/plain;version=0.0.4',
        '*/*;q=0',
        'gzip',
        'br, deflate, *',
      ),
      fc.constantFrom('10', '0', '-5', '0.4', '1e309', 'abc', 'http://evil.example', 'null', 'application/json'),
    );
    const names = [
      'authorization',
      'accept',
      'accept-encoding',
      'x-prometheus-scrape-timeout-seconds',
      'origin',
      'host',
      'content-type',
    ];
    const arbitrary = fz.request(
      fz.pathOf(routes),
      query,
      fz.headers(names, headerValues),
      fz.body(fc.jsonValue({ maxDepth: 2 })),
    );
    await fuzz(t, agent.url, arbitrary, 1000);
    const failed = agent.logs().filter((l) => /failed|could not be sent/.test(String(l.msg)) && l.level === 50);
    assert.deepEqual(failed, [], 'no handler failed');
    assert.equal((await agent.get('/healthz')).status, 200);
    const probe = await agent.get(`/probe?module=http_2xx&target=${encodeURIComponent(`${target.origin}/`)}`);
    assert.match(probe.body, /^probe_success 1$/m);
  });
});

describe('fault proxy API', () => {
  let api: Awaited<ReturnType<typeof startProxyApi>>;
  let upstream: HttpTestServer;

  before(async () => {
    api = await startProxyApi();
    upstream = await startHttpServer((_req, res) => void res.end('ok'));
  });
  after(async () => {
    await api?.close();
    await upstream?.close();
  });

  test('1,000 generated requests answer 2xx-4xx, and the API serves after', async (t) => {
    const loopback = `127.0.0.1:${upstream.port}`;
    const name = fc.oneof(fc.constantFrom('fz', 'other', 'lat'), fz.junk);
    const toxic = jsonBody({
      name,
      type: fc.constantFrom(
        'latency',
        'bandwidth',
        'slow_close',
        'timeout',
        'reset_peer',
        'limit_data',
        'slicer',
        'nope',
      ),
      stream: fc.constantFrom('upstream', 'downstream', 'sideways'),
      toxicity: fc.constantFrom(0, 0.5, 1, 2, -1),
      attributes: fc.dictionary(
        fc.constantFrom('latency', 'jitter', 'rate', 'delay', 'timeout', 'bytes', 'x'),
        fc.jsonValue(),
      ),
    });
    const proxy = jsonBody({
      name,
      // Listen and upstream addresses stay on loopback; a junk one has no colon, so it never names a host.
      listen: fc.oneof(
        fc.constantFrom('127.0.0.1:0', '127.0.0.1:99999', 'nowhere', ''),
        fz.junk.map((j) => j.replace(/:/g, '')),
      ),
      upstream: fc.oneof(
        fc.constantFrom(loopback, '127.0.0.1:0', 'x'),
        fz.junk.map((j) => j.replace(/:/g, '')),
      ),
      enabled: fc.boolean(),
      toxics: fc.array(toxic, { maxLength: 2 }),
    });
    const routes = [
      '/version',
      '/proxies',
      '/populate',
      '/reset',
      '/metrics',
      '/proxies/fz',
      '/proxies/fz/toxics',
      '/proxies/fz/toxics/lat',
    ];
    const path = fc.oneof(
      fz.pathOf(routes),
      fz.junk.map((j) => `/proxies/${j.replace(/[/?#\s]/g, '')}`),
      fz.junk.map((j) => `/proxies/fz/toxics/${j.replace(/[/?#\s]/g, '')}`),
    );
    const extra = fz.headers(
      ['content-type', 'origin', 'host'],
      fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-8'),
    );
    // Mostly with the JSON content type the API insists on, so bodies reach its validation.
    const head = fc
      .tuple(fc.boolean(), extra)
      .map(([json, rest]): [string, string][] => (json ? [['content-type', 'application/json'], ...rest] : rest));
    const arbitrary = fz.request(path, fz.queryString({ x: fz.junk }), head, fz.body(fc.oneof(proxy, toxic)));
    const setup = await api.call('POST', '/proxies', { name: 'fz', listen: '127.0.0.1:0', upstream: loopback });
    assert.equal(setup.status, 201);
    await fuzz(t, api.url, arbitrary, 1000);
    assert.equal((await api.call('GET', '/version')).status, 200);
  });
});

describe('lab control API', () => {
  let dir: string;
  let running: RunningLab;
  let control: ControlServer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'canary-fuzz-lab-'));
    running = await startLab({ dir, backends: 2, basePort: 0, host: '127.0.0.1', warmup: { requests: 0, delayMs: 0 } });
    control = await startControlServer(running.lab, '127.0.0.1', 0);
  });
  after(async () => {
    // A SIGSTOP sent by the fuzzer would leave a process unable to stop.
    for (const p of running?.lab.list() ?? []) if (p.pid) process.kill(p.pid, 'SIGCONT');
    await control?.close();
    await running?.lab.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('300 generated requests answer 2xx-4xx, and the API serves after', async (t) => {
    const name = fc.oneof(
      fc.constantFrom(...running.lab.names),
      fz.junk.map((j) => j.replace(/[/?#\s]/g, '')),
    );
    const path = fc.oneof(
      fz.pathOf(['/lab', '/lab/']),
      fc.tuple(name, fc.constantFrom('kill', 'start', 'stop', '')).map(([n, a]) => `/lab/${n}/${a}`),
    );
    const signal = fz.param(
      fc.oneof(fc.constantFrom('SIGKILL', 'SIGTERM', 'SIGSTOP', 'SIGCONT', 'SIGHUP', 'KILL', '9', ''), fz.junk),
    );
    const head = fz.headers(
      ['origin', 'host', 'content-type'],
      fc.constantFrom('http://evil.example', 'null', '127.0.0.1'),
    );
    const arbitrary = fz.request(path, fz.queryString({ signal }), head, fz.body(fc.jsonValue({ maxDepth: 1 })));
    await fuzz(t, control.url, arbitrary, 300);
    const list = await fetch(`${control.url}/lab`);
    assert.equal(list.status, 200);
  });
});
