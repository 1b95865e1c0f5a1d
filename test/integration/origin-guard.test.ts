/**
 * The three control planes on 127.0.0.1 (the agent's server, the fault API, the lab control
 * API) refuse what a web page can send them: a foreign `Origin` (a cross-origin request)
 * and a foreign `Host` (DNS rebinding). What curl and Prometheus send still works.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlServer, type ControlServer } from '../../src/lab/process/control.js';
import { startLab, type RunningLab } from '../../src/lab/process/supervisor.js';
import { createLogger } from '../../src/log.js';
import { createServer, type AgentServer } from '../../src/server/index.js';
import { startProxyApi } from '../fixtures/proxy/harness.js';

interface Sent {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** One request with exactly these headers (`fetch` may not set `Host`). */
function send(
  url: string,
  { method = 'GET', headers = {}, body }: Sent = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`request to ${url} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

const EVIL = { origin: 'http://evil.example' };
const rebound = (port: number) => ({ host: `rebind.example:${port}` });

describe('agent HTTP server', () => {
  let server: AgentServer;
  let url: string;
  let port: number;
  let reloads = 0;

  before(async () => {
    server = createServer({
      listen: '127.0.0.1:0',
      metrics: () => Promise.resolve({ contentType: 'text/plain', body: 'up 1\n' }),
      ready: () => true,
      logger: createLogger({ level: 'silent' }),
    });
    server.route('POST', '/-/reload', () => ((reloads += 1), { status: 200, body: 'reloaded' }));
    ({ url, port } = await server.start());
  });
  after(() => server.stop());

  test('a foreign Origin is refused with 403 and nothing is reloaded', async () => {
    const res = await send(`${url}-/reload`, { method: 'POST', headers: EVIL });
    assert.equal(res.status, 403);
    assert.match(res.body, /Origin http:\/\/evil\.example/);
    assert.equal((await send(`${url}metrics`, { headers: EVIL })).status, 403);
    assert.equal(reloads, 0);
  });

  test('a foreign Host on the loopback listener is refused: a rebinding page cannot read /metrics', async () => {
    const res = await send(`${url}metrics`, { headers: rebound(port) });
    assert.equal(res.status, 403);
    assert.doesNotMatch(res.body, /up 1/);
    assert.equal((await send(`${url}-/reload`, { method: 'POST', headers: rebound(port) })).status, 403);
    assert.equal(reloads, 0);
  });

  test('what curl and Prometheus send works, and so does its own origin', async () => {
    assert.deepEqual(await send(`${url}metrics`), { status: 200, body: 'up 1\n' });
    assert.equal((await send(`${url}healthz`, { headers: { host: `localhost:${port}` } })).status, 200);
    const own = { origin: `http://127.0.0.1:${port}` };
    assert.equal((await send(`${url}-/reload`, { method: 'POST', headers: own })).status, 200);
    assert.equal(reloads, 1);
  });
});

describe('fault proxy API', () => {
  let api: Awaited<ReturnType<typeof startProxyApi>>;
  let port: number;
  const create = JSON.stringify({ name: 'web', listen: '127.0.0.1:0', upstream: '127.0.0.1:9' });
  const json = { 'content-type': 'application/json' };
  const names = async () => ((await api.call('GET', '/proxies')).body ?? {}) as Record<string, unknown>;

  before(async () => {
    api = await startProxyApi();
    port = Number(new URL(api.url).port);
  });
  after(() => api.close());

  test('a foreign Origin is refused with 403 and no proxy is created', async () => {
    const res = await send(`${api.url}/proxies`, { method: 'POST', headers: { ...json, ...EVIL }, body: create });
    assert.equal(res.status, 403);
    assert.match(res.body, /evil\.example/);
    assert.deepEqual(await names(), {});
  });

  test('a foreign Host is refused with 403 and no proxy is created', async () => {
    const headers = { ...json, ...rebound(port) };
    assert.equal((await send(`${api.url}/proxies`, { method: 'POST', headers, body: create })).status, 403);
    assert.equal((await send(`${api.url}/proxies`, { headers: rebound(port) })).status, 403);
    assert.deepEqual(await names(), {});
  });

  test('a text/plain body (a no-cors form post) is refused with 415 and no proxy is created', async () => {
    const headers = { 'content-type': 'text/plain;charset=UTF-8' };
    const res = await send(`${api.url}/proxies`, { method: 'POST', headers, body: create });
    assert.equal(res.status, 415);
    assert.match(res.body, /application\/json/);
    assert.deepEqual(await names(), {});
  });

  test('a JSON POST without Origin creates the proxy; a bodiless reset needs no Content-Type', async () => {
    assert.equal((await send(`${api.url}/proxies`, { method: 'POST', headers: json, body: create })).status, 201);
    assert.deepEqual(Object.keys(await names()), ['web']);
    assert.equal((await send(`${api.url}/reset`, { method: 'POST' })).status, 204);
    assert.equal((await send(`${api.url}/proxies/web`, { method: 'DELETE' })).status, 204);
  });
});

describe('lab control API', () => {
  let dir: string;
  let running: RunningLab;
  let control: ControlServer;
  let port: number;
  const alive = () => running.lab.list().find((p) => p.name === 'backend-1')?.alive;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'canary-lab-origin-'));
    running = await startLab({ dir, backends: 1, basePort: 0, host: '127.0.0.1' });
    control = await startControlServer(running.lab, '127.0.0.1', 0);
    port = Number(new URL(control.url).port);
  });
  after(async () => {
    await control?.close();
    await running?.lab.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('a foreign Origin or Host is refused with 403 and the backend keeps running', async () => {
    const kill = `${control.url}/lab/backend-1/kill`;
    const byOrigin = await send(kill, { method: 'POST', headers: { 'content-type': 'text/plain', ...EVIL } });
    assert.equal(byOrigin.status, 403);
    assert.match(byOrigin.body, /evil\.example/);
    assert.equal((await send(kill, { method: 'POST', headers: rebound(port) })).status, 403);
    assert.equal((await send(`${control.url}/lab`, { headers: rebound(port) })).status, 403);
    assert.equal(alive(), true);
  });

  test('a POST without Origin still kills (what the chaos runner sends)', async () => {
    assert.equal((await send(`${control.url}/lab`)).status, 200);
    assert.equal((await send(`${control.url}/lab/backend-1/kill`, { method: 'POST' })).status, 200);
    assert.equal(alive(), false);
  });
});
