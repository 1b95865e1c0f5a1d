/**
 * `http.compression` (blackbox's `compression`): the probe asks for the encoding, and the
 * body its expectations read is the decompressed one; a body that does not decompress, or
 * decompresses past `maxBodySize`, fails with its reason.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { createHttpProbe } from '../../src/probes/http.js';
import { makeHttpCheck } from '../helpers/checks.js';
import { startHttpServer, type HttpTestServer } from '../helpers/servers.js';

const TEXT = 'canary says hello, compressed';
const ENCODERS = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync } as const;

describe('http probe with http.compression', () => {
  const probe = createHttpProbe();
  let server: HttpTestServer;

  before(async () => {
    server = await startHttpServer((req, res) => {
      const encoding = req.url?.slice(1) ?? '';
      if (encoding in ENCODERS) {
        const body = ENCODERS[encoding as keyof typeof ENCODERS](Buffer.from(TEXT));
        return void res.writeHead(200, { 'content-encoding': encoding }).end(body);
      }
      if (req.url === '/bomb') return void res.writeHead(200).end(gzipSync(Buffer.alloc(4 * 1024 * 1024)));
      res.writeHead(200).end(TEXT);
    });
  });
  after(() => server?.close());

  const run = (path: string, compression: string, extra: object = {}) =>
    probe.run(
      makeHttpCheck({
        target: `${server.origin}${path}`,
        http: { compression, ...extra } as never,
        expect: { body: [{ matches: 'says hello' }] },
      }),
      { signal: AbortSignal.timeout(5_000) },
    );

  for (const encoding of Object.keys(ENCODERS)) {
    test(`${encoding}: asked for in Accept-Encoding, and the expectations read the decompressed body`, async () => {
      const o = await run(`/${encoding}`, encoding);
      assert.equal(o.ok, true, o.message);
      assert.equal(server.requests.at(-1)?.headers['accept-encoding'], encoding);
    });
  }

  test('a body that is not compressed as configured fails with reason protocol', async () => {
    const o = await run('/plain', 'gzip');
    assert.equal(o.ok, false);
    assert.equal(o.reason, 'protocol');
    assert.match(o.message ?? '', /does not decompress as gzip/);
  });

  test('the size cap applies after decompression: a small gzip of 4 MiB of zeros is body_too_large', async () => {
    const o = await run('/bomb', 'gzip', { maxBodySize: '1MiB' });
    assert.equal(o.reason, 'body_too_large', o.message);
  });

  test('an Accept-Encoding of the check is kept; identity decompresses nothing', async () => {
    const o = await run('/gzip', 'gzip', { headers: { 'Accept-Encoding': 'gzip, br' } });
    assert.equal(o.ok, true, o.message);
    assert.equal(server.requests.at(-1)?.headers['accept-encoding'], 'gzip, br');
    const plain = await run('/plain', 'identity');
    assert.equal(plain.ok, true, plain.message);
  });
});
