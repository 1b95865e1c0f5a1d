import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { isCanaryError } from '../../src/errors.js';
import { PrometheusSink } from '../../src/exporters/prometheus.js';
import { createLogger } from '../../src/log.js';
import { EventBus } from '../../src/results/bus.js';
import { createServer, type AgentServer, type ServerAddress } from '../../src/server/index.js';
import { rawGet } from '../helpers/raw-http.js';
import { makeResult } from '../helpers/results.js';

interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request over a real socket; `agent` lets a test keep the connection alive. */
function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; agent?: Agent } = {},
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: options.agent, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request to ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

const logger = createLogger({ level: 'silent' });
const bus = new EventBus();
const sink = new PrometheusSink({
  bus,
  region: 'test',
  agentLabels: {},
  version: '0.0.0-test',
  checks: [{ name: 'api', kind: 'http' }],
});
let ready = false;
let server: AgentServer;
let base: ServerAddress;

before(async () => {
  server = createServer({
    listen: '127.0.0.1:0',
    metrics: (accept) => sink.metrics(accept),
    ready: () => ready,
    logger,
  });
  server.route('GET', '/boom', () => {
    throw new Error('handler bug');
  });
  server.route('POST', '/echo', () => ({ status: 201, body: 'created' }), { description: 'test route' });
  base = await server.start();
  const http = { status: 204, version: '1.1', redirects: 0, finalUrl: '', headers: {}, bodyBytes: 0, ssl: false };
  bus.emit(
    'result',
    makeResult({ target: 'http://127.0.0.1/', startedAt: Date.now(), durationSeconds: 0.05 }, { http }),
  );
});

after(async () => {
  await server.stop();
});

test('start() reports a real address on port 0', () => {
  assert.equal(base.host, '127.0.0.1');
  assert.ok(base.port > 0);
  assert.equal(base.url, `http://127.0.0.1:${base.port}/`);
  assert.deepEqual(server.address, base);
});

test('/healthz answers ok, also to HEAD', async () => {
  const get = await send(`${base.url}healthz`);
  assert.equal(get.status, 200);
  assert.equal(get.body.toString(), 'ok');
  const head = await send(`${base.url}healthz`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], '2');
  assert.equal(head.body.length, 0);
});

test('/readyz follows ready()', async () => {
  ready = false;
  assert.equal((await send(`${base.url}readyz`)).status, 503);
  ready = true;
  const res = await send(`${base.url}readyz`);
  assert.equal(res.status, 200);
  assert.equal(res.body.toString(), 'ready');
  ready = false;
  assert.equal((await send(`${base.url}readyz`, { method: 'HEAD' })).status, 503);
});

test('/metrics serves Prometheus text by default and OpenMetrics when asked', async () => {
  const text = await send(`${base.url}metrics`);
  assert.equal(text.status, 200);
  assert.equal(text.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
  assert.ok(text.body.toString().includes('probe_http_status_code{check="api",kind="http",region="test"} 204\n'));

  const om = await send(`${base.url}metrics`, {
    headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' },
  });
  assert.equal(om.status, 200);
  assert.equal(om.headers['content-type'], 'application/openmetrics-text; version=1.0.0; charset=utf-8');
  assert.ok(om.body.toString().endsWith('# EOF\n'));
});

test('/metrics is gzipped for clients that accept it', async () => {
  const res = await send(`${base.url}metrics`, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(res.headers['content-encoding'], 'gzip');
  assert.equal(Number(res.headers['content-length']), res.body.length);
  assert.ok(gunzipSync(res.body).toString().includes('probe_success{check="api",kind="http",region="test"} 1\n'));
});

test('the index at /endpoints lists every endpoint, added routes included', async () => {
  const res = await send(`${base.url}endpoints`);
  assert.equal(res.status, 200);
  assert.match(String(res.headers['content-type']), /^text\/html/);
  const html = res.body.toString();
  for (const path of ['/metrics', '/healthz', '/readyz', '/echo'])
    assert.ok(html.includes(path), `index misses ${path}`);
});

test('unknown paths are 404, wrong methods 405 with Allow', async () => {
  assert.equal((await send(`${base.url}nope`)).status, 404);
  assert.equal((await send(`${base.url}metrics/`)).status, 404);
  const post = await send(`${base.url}metrics`, { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.allow, 'GET, HEAD');
  const getEcho = await send(`${base.url}echo`);
  assert.equal(getEcho.status, 405);
  assert.equal(getEcho.headers.allow, 'POST');
  const postEcho = await send(`${base.url}echo?x=1`, { method: 'POST' });
  assert.equal(postEcho.status, 201);
  assert.equal(postEcho.body.toString(), 'created');
});

test('a request target that does not parse is a 400 with a reason, and the server keeps serving', async () => {
  for (const target of ['//[', '/a]b', '/%zz', 'http://[', '*']) {
    const answer = await rawGet(base.url, target);
    assert.deepEqual(answer, { status: 400, body: 'bad request target: not an RFC 3986 path or absolute URL' }, target);
  }
  assert.equal((await rawGet(base.url, '//healthz')).status, 404, '`//x` is a path, not a host');
  assert.equal((await send(`${base.url}healthz`)).status, 200);
});

test('a throwing handler answers 500 and the server keeps serving', async () => {
  const res = await send(`${base.url}boom`);
  assert.equal(res.status, 500);
  assert.equal((await send(`${base.url}healthz`)).status, 200);
  assert.throws(
    () => server.route('GET', '/metrics', () => ({ status: 200 })),
    (err) => isCanaryError(err) && err.message.includes('already registered'),
  );
});

test('a taken port rejects with CANARY_ERR_LISTEN and says so', async () => {
  const second = createServer({
    listen: `127.0.0.1:${base.port}`,
    metrics: (a) => sink.metrics(a),
    ready: () => true,
    logger,
  });
  await assert.rejects(second.start(), (err) => {
    assert.ok(isCanaryError(err, 'CANARY_ERR_LISTEN'), String(err));
    assert.match(
      err.message,
      new RegExp(`cannot listen on 127\\.0\\.0\\.1:${base.port}: the address is already in use`),
    );
    return true;
  });
  await second.stop();
  await assert.rejects(
    createServer({ listen: 'localhost', metrics: (a) => sink.metrics(a), ready: () => true, logger }).start(),
    (err) => isCanaryError(err, 'CANARY_ERR_LISTEN') && err.message.includes('must be HOST:PORT'),
  );
});

test('stop() returns promptly with an idle keep-alive client connected', async () => {
  const own = createServer({ listen: '127.0.0.1:0', metrics: (a) => sink.metrics(a), ready: () => true, logger });
  const { url } = await own.start();
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const res = await send(`${url}healthz`, { agent });
    assert.equal(res.status, 200);
    assert.equal(res.headers.connection, 'keep-alive');
    const sockets = Object.values(agent.freeSockets).flat();
    assert.equal(sockets.length, 1, 'the client should hold one idle kept-alive socket');
    const closed = new Promise<void>((resolve) => sockets[0]?.once('close', () => resolve()));
    const started = performance.now();
    await own.stop();
    const elapsed = performance.now() - started;
    // Node keeps idle connections 5 s by default; closing them at once is the point.
    assert.ok(elapsed < 2_500, `stop() took ${elapsed.toFixed(0)} ms`);
    await closed;
    assert.equal(own.address, undefined);
  } finally {
    agent.destroy();
    await own.stop();
  }
});
