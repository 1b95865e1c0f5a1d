import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createHttpProbe } from '../../src/probes/http.js';
import { makeHttpCheck } from '../helpers/checks.js';
import { startHttpServer, startTcpServer, type HttpTestServer, type TestServer } from '../helpers/servers.js';

const CHUNK = Buffer.alloc(64 * 1024, 'x');
/** The endless body stops here at the latest, so a broken probe cannot fill memory. */
const ENDLESS_LIMIT = 256 * 1024 * 1024;

/** Writes body chunks until the client goes away (or the bound is hit). */
function endless(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/plain' });
  let written = 0;
  const pump = (): void => {
    while (!res.destroyed && written < ENDLESS_LIMIT) {
      written += CHUNK.length;
      if (!res.write(CHUNK)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end();
  };
  pump();
}

describe('http probe limits and broken peers', () => {
  const probe = createHttpProbe();
  let server: HttpTestServer;
  const url = (path: string): string => `${server.origin}${path}`;

  before(async () => {
    server = await startHttpServer((req, res) => {
      if (req.url === '/endless') return endless(res);
      if (req.url === '/big-headers') return void res.writeHead(200, { 'x-big': 'a'.repeat(20 * 1024) }).end('ok');
      if (req.url === '/json')
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"up"}');
      if (req.url === '/exact') return void res.end(Buffer.alloc(1000, 'y'));
      res.writeHead(404).end();
    });
  });
  after(async () => {
    await probe.close?.();
    await server.close();
  });

  test('an endless body is cut at maxBodySize: body_too_large, and the server sees the connection closed', async () => {
    const closedBefore = server.closed;
    const o = await probe.run(makeHttpCheck({ target: url('/endless'), http: { maxBodySize: '256KiB' } }), {
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(o.ok, false);
    assert.equal(o.reason, 'body_too_large');
    assert.equal(o.http?.status, 200);
    assert.ok((o.http?.bodyBytes ?? 0) > 256 * 1024);
    assert.ok(
      (o.http?.bodyBytes ?? Infinity) < 4 * 1024 * 1024,
      `read ${o.http?.bodyBytes} bytes: dropped, not drained`,
    );
    await server.waitClosed(closedBefore + 1, 3000);
  });

  test('a body exactly at the cap is fine', async () => {
    const o = await probe.run(makeHttpCheck({ target: url('/exact'), http: { maxBodySize: 1000 } }), {
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(o.ok, true, o.message);
    assert.equal(o.http?.bodyBytes, 1000);
  });

  test('headers over maxHeaderSize: headers_too_large', async () => {
    const o = await probe.run(makeHttpCheck({ target: url('/big-headers') }), { signal: AbortSignal.timeout(5000) });
    assert.equal(o.ok, false);
    assert.equal(o.reason, 'headers_too_large');
    const roomy = await probe.run(makeHttpCheck({ target: url('/big-headers'), http: { maxHeaderSize: '64KiB' } }), {
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(roomy.ok, true, roomy.message);
  });

  test('the body is kept only when an expectation reads it', async () => {
    const plain = await probe.run(makeHttpCheck({ target: url('/json') }), { signal: AbortSignal.timeout(5000) });
    assert.equal(plain.http?.body, undefined);
    assert.equal(plain.http?.bodyBytes, 15);
    const json = await probe.run(
      makeHttpCheck({ target: url('/json'), expect: { json: [{ path: '$.status', equals: 'up' }] } }),
      {
        signal: AbortSignal.timeout(5000),
      },
    );
    assert.equal(json.http?.body, '{"status":"up"}');
    const regex = await probe.run(makeHttpCheck({ target: url('/json'), expect: { body: [{ matches: 'up' }] } }), {
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(regex.http?.body, '{"status":"up"}');
  });

  test('keepAlive reuses one connection across runs; the default opens one per run', async () => {
    const fresh = makeHttpCheck({ name: 'fresh', target: url('/json') });
    const acceptedBefore = server.accepted;
    const freshClosedBefore = server.closed;
    for (let i = 0; i < 2; i++) assert.equal((await probe.run(fresh, { signal: AbortSignal.timeout(5000) })).ok, true);
    assert.equal(server.accepted - acceptedBefore, 2);
    await server.waitClosed(freshClosedBefore + 2, 1000); // a fresh connection is closed after its run, not left idle

    const kept = makeHttpCheck({ name: 'kept', target: url('/json'), http: { keepAlive: true } });
    const keptBefore = server.accepted;
    const first = await probe.run(kept, { signal: AbortSignal.timeout(5000) });
    const second = await probe.run(kept, { signal: AbortSignal.timeout(5000) });
    assert.equal(first.ok && second.ok, true);
    assert.equal(server.accepted - keptBefore, 1, 'one connection for both runs');
    assert.equal(typeof first.phases.connect, 'number');
    assert.equal(second.phases.connect, undefined, 'no connect phase on a reused connection');
    assert.equal(typeof second.phases.processing, 'number');

    const closedBefore = server.closed;
    await probe.close?.();
    await server.waitClosed(closedBefore + 1, 3000);
  });
});

describe('http probe against raw TCP peers', () => {
  const probe = createHttpProbe();
  const servers: TestServer[] = [];
  after(async () => {
    await probe.close?.();
    await Promise.all(servers.map((s) => s.close()));
  });

  async function peer(onSocket: (socket: Socket) => void): Promise<string> {
    const server = await startTcpServer(onSocket);
    servers.push(server);
    return `http://127.0.0.1:${server.port}/`;
  }

  /** Answers the request with a head promising 1000 bytes, sends 10, then hangs up as told. */
  function partial(hangUp: (socket: Socket) => void): (socket: Socket) => void {
    return (socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789', () =>
          setTimeout(() => hangUp(socket), 20),
        );
      });
    };
  }

  test('a connection closed mid-response is reason reset', async () => {
    for (const [how, hangUp] of [
      ['FIN', (s: Socket) => s.destroy()],
      ['RST', (s: Socket) => s.resetAndDestroy()],
    ] as const) {
      const target = await peer(partial(hangUp));
      const o = await probe.run(makeHttpCheck({ target }), { signal: AbortSignal.timeout(5000) });
      assert.equal(o.ok, false, how);
      assert.equal(o.reason, 'reset', `${how}: ${o.message}`);
      assert.equal(o.http?.status, 200, 'headers had arrived');
    }
  });

  test('a peer that closes before answering is reason reset', async () => {
    const target = await peer((socket) => socket.once('data', () => socket.destroy()));
    const o = await probe.run(makeHttpCheck({ target }), { signal: AbortSignal.timeout(5000) });
    assert.equal(o.reason, 'reset', o.message);
    assert.equal(o.http, undefined);
  });

  test('garbage instead of HTTP is reason protocol', async () => {
    const target = await peer((socket) =>
      socket.once('data', () => socket.end('SSH-2.0-OpenSSH_9.6\r\nnot http at all\r\n\r\n')),
    );
    const o = await probe.run(makeHttpCheck({ target }), { signal: AbortSignal.timeout(5000) });
    assert.equal(o.ok, false);
    assert.equal(o.reason, 'protocol', o.message);
  });
});
