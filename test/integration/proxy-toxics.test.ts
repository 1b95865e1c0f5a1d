import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dial, readAll, roundTrip, startEcho, startProxyApi, startSender } from '../fixtures/proxy/harness.js';

type ProxyApi = Awaited<ReturnType<typeof startProxyApi>>;
type Server = Awaited<ReturnType<typeof startEcho>>;

describe('fault proxy toxics on real loopback traffic', () => {
  let api: ProxyApi;
  let echo: Server;
  let sender: Server;
  const payload = Buffer.alloc(20_000, 'x');

  before(async () => {
    api = await startProxyApi();
    echo = await startEcho();
    sender = await startSender(payload);
  });
  after(async () => {
    await api.close();
    await echo.close();
    await sender.close();
  });

  test('without toxics bytes pass unchanged', async () => {
    const port = await api.proxy('plain', sender.port);
    const reading = await readAll(await dial(port));
    assert.deepEqual(reading.data, payload);
    assert.equal(reading.error, undefined);
  });

  test('latency delays an echo round trip by at least the latency', async () => {
    const port = await api.proxy('latency', echo.port, [
      { type: 'latency', stream: 'downstream', attributes: { latency: 300 } },
    ]);
    const socket = await dial(port);
    try {
      const ms = await roundTrip(socket, Buffer.from('ping'));
      assert.ok(ms >= 290, `round trip ${ms}ms should be at least 300ms`);
      assert.ok(ms < 3_000, `round trip ${ms}ms should be well under 3s`);
      // Removing the toxic applies to the same open connection.
      assert.equal((await api.call('DELETE', '/proxies/latency/toxics/latency_downstream')).status, 204);
      const after = await roundTrip(socket, Buffer.from('pong'));
      assert.ok(after < 250, `round trip after removal ${after}ms should be fast`);
    } finally {
      socket.destroy();
    }
  });

  test('latency added while a connection is open applies to its next data', async () => {
    const port = await api.proxy('latency-live', echo.port);
    const socket = await dial(port);
    try {
      assert.ok((await roundTrip(socket, Buffer.from('a'))) < 250);
      await api.call('POST', '/proxies/latency-live/toxics', {
        type: 'latency',
        stream: 'upstream',
        attributes: { latency: 300 },
      });
      const ms = await roundTrip(socket, Buffer.from('b'));
      assert.ok(ms >= 290 && ms < 3_000, `round trip ${ms}ms`);
    } finally {
      socket.destroy();
    }
  });

  test('bandwidth: 20 KB at 20 KB/s takes about a second', async () => {
    const port = await api.proxy('bandwidth', sender.port, [{ type: 'bandwidth', attributes: { rate: 20 } }]);
    const reading = await readAll(await dial(port));
    assert.equal(reading.data.length, payload.length);
    assert.ok(reading.closedAfterMs >= 800, `took ${reading.closedAfterMs}ms, expected about 1000ms`);
    assert.ok(reading.closedAfterMs < 5_000, `took ${reading.closedAfterMs}ms, expected about 1000ms`);
  });

  test('slicer: the data arrives in many small chunks, intact', async () => {
    const port = await api.proxy('slicer', sender.port, [
      { type: 'slicer', attributes: { average_size: 100, size_variation: 20, delay: 1000 } },
    ]);
    const reading = await readAll(await dial(port));
    assert.deepEqual(reading.data, payload);
    // 20 000 bytes in ~100-byte slices 1 ms apart: far more reads than the 1-2 of plain TCP.
    assert.ok(reading.chunks >= 50, `only ${reading.chunks} chunks`);
  });

  test('limit_data: the connection closes after exactly N bytes', async () => {
    const port = await api.proxy('limit', sender.port, [{ type: 'limit_data', attributes: { bytes: 1234 } }]);
    const reading = await readAll(await dial(port));
    assert.equal(reading.data.length, 1234);
    assert.equal(reading.timedOut, false);
  });

  test('timeout: no data gets through and the connection closes after the timeout', async () => {
    const port = await api.proxy('timeout', echo.port, [{ type: 'timeout', attributes: { timeout: 400 } }]);
    const socket = await dial(port);
    const reading = readAll(socket);
    socket.write('anyone there?');
    const result = await reading;
    assert.equal(result.data.length, 0);
    assert.equal(result.timedOut, false);
    assert.ok(result.closedAfterMs >= 350 && result.closedAfterMs < 5_000, `closed after ${result.closedAfterMs}ms`);
  });

  test('timeout 0: data is held back and the connection stays open', async () => {
    const port = await api.proxy('timeout0', echo.port, [{ type: 'timeout', attributes: { timeout: 0 } }]);
    const socket = await dial(port);
    socket.write('hello');
    const result = await readAll(socket, 700);
    assert.equal(result.timedOut, true);
    assert.equal(result.data.length, 0);
  });

  test('reset_peer: the client sees ECONNRESET', async () => {
    const port = await api.proxy('reset', echo.port, [{ type: 'reset_peer', attributes: { timeout: 200 } }]);
    const socket = await dial(port);
    const reading = readAll(socket);
    const result = await reading;
    assert.equal(result.error, 'ECONNRESET');
    assert.ok(result.closedAfterMs >= 150, `reset after ${result.closedAfterMs}ms, expected after the 200ms timeout`);
  });

  test('slow_close: the close reaches the client after the delay, the data before it', async () => {
    const port = await api.proxy('slow-close', sender.port, [{ type: 'slow_close', attributes: { delay: 500 } }]);
    const plain = await readAll(await dial(await api.proxy('fast-close', sender.port)));
    const slow = await readAll(await dial(port));
    assert.deepEqual(slow.data, payload);
    assert.ok(slow.closedAfterMs >= 450, `closed after ${slow.closedAfterMs}ms, expected at least 500ms`);
    assert.ok(plain.closedAfterMs < slow.closedAfterMs);
  });

  test('toxicity 0: the toxic is listed but no connection gets it', async () => {
    const port = await api.proxy('toxicity0', sender.port, [
      { type: 'limit_data', toxicity: 0, attributes: { bytes: 10 } },
    ]);
    const reading = await readAll(await dial(port));
    assert.equal(reading.data.length, payload.length);
  });

  test('metrics count connections, bytes and activations per proxy', async () => {
    const text = await (await fetch(`${api.url}/metrics`)).text();
    assert.match(text, /canary_proxy_connections_total\{proxy="plain"\} 1/);
    assert.match(
      text,
      new RegExp(`canary_proxy_bytes_total\\{proxy="plain",direction="downstream"\\} ${payload.length}`),
    );
    assert.match(text, /canary_proxy_toxic_activations_total\{proxy="limit",type="limit_data"\} 1/);
    assert.match(text, /canary_proxy_toxics\{proxy="latency"\} 0/);
    assert.match(text, /canary_proxy_toxics\{proxy="slicer"\} 1/);
  });
});
