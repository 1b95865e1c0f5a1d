import assert from 'node:assert/strict';
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import { startProxyApi, startHttp } from '../fixtures/proxy/harness.js';

type ProxyApi = Awaited<ReturnType<typeof startProxyApi>>;

/** One real HTTP request through `port` with node:http; resolves status, body and duration. */
function get(port: number, path: string, body?: string): Promise<{ status: number; body: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = request(
      { host: '127.0.0.1', port, path, method: body === undefined ? 'GET' : 'POST', agent: false, timeout: 10_000 },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(parts).toString(),
            ms: performance.now() - start,
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

describe('HTTP-aware toxics', () => {
  let api: ProxyApi;
  let http: Awaited<ReturnType<typeof startHttp>>;

  before(async () => {
    api = await startProxyApi();
    http = await startHttp();
  });
  after(async () => {
    await api.close();
    await http.close();
  });

  test('http_status with toxicity 1 answers 503 and the server never sees the request', async () => {
    const port = await api.proxy('status1', http.port, [
      { type: 'http_status', stream: 'upstream', toxicity: 1, attributes: { status: 503 } },
    ]);
    const before = http.seen();
    for (let i = 0; i < 3; i++) {
      const res = await get(port, `/r${i}`, 'a body the proxy must swallow');
      assert.equal(res.status, 503);
      assert.match(res.body, /503 Service Unavailable/);
    }
    assert.equal(http.seen(), before);
  });

  test('http_status with toxicity 0 forwards every request', async () => {
    const port = await api.proxy('status0', http.port, [
      { type: 'http_status', stream: 'upstream', toxicity: 0, attributes: { status: 503 } },
    ]);
    for (let i = 0; i < 3; i++) {
      const res = await get(port, `/ok${i}`);
      assert.equal(res.status, 200);
      assert.equal(res.body, `hello /ok${i}`);
    }
  });

  test('http_status with a custom status and body', async () => {
    const port = await api.proxy('status-custom', http.port, [
      { type: 'http_status', stream: 'upstream', attributes: { status: 429, body: 'slow down' } },
    ]);
    const res = await get(port, '/');
    assert.deepEqual([res.status, res.body], [429, 'slow down']);
  });

  test('http_status must run on the upstream stream', async () => {
    await api.proxy('status-stream', http.port);
    const res = await api.call('POST', '/proxies/status-stream/toxics', {
      type: 'http_status',
      attributes: { status: 503 },
    });
    assert.equal(res.status, 400);
    assert.match((res.body as { error: string }).error, /stream must be "upstream"/);
  });

  test('http_delay holds requests for the delay and they still succeed', async () => {
    const port = await api.proxy('delay', http.port, [
      { type: 'http_delay', stream: 'upstream', attributes: { delay: 300 } },
    ]);
    const res = await get(port, '/slow');
    assert.equal(res.status, 200);
    assert.equal(res.body, 'hello /slow');
    assert.ok(res.ms >= 290 && res.ms < 5_000, `took ${res.ms}ms`);
  });

  test('http_delay with toxicity 0 adds nothing', async () => {
    const port = await api.proxy('delay0', http.port, [
      { type: 'http_delay', stream: 'upstream', toxicity: 0, attributes: { delay: 2000 } },
    ]);
    const res = await get(port, '/fast');
    assert.equal(res.status, 200);
    assert.ok(res.ms < 1_500, `took ${res.ms}ms`);
  });

  test('keep-alive requests through http_delay are each delayed and each answered', async () => {
    const port = await api.proxy('delay-keepalive', http.port, [
      { type: 'http_delay', stream: 'upstream', attributes: { delay: 200 } },
    ]);
    const res = await fetch(`http://127.0.0.1:${port}/a`, { method: 'POST', body: 'x'.repeat(5000) });
    assert.equal(await res.text(), 'hello /a');
    const start = performance.now();
    const second = await fetch(`http://127.0.0.1:${port}/b`);
    assert.equal(await second.text(), 'hello /b');
    assert.ok(performance.now() - start >= 190);
  });
});
