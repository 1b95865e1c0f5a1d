import assert from 'node:assert/strict';
import { promises as dns } from 'node:dns';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ServerResponse } from 'node:http';
import { createHttpProbe } from '../../src/probes/http.js';
import type { Observation } from '../../src/results/types.js';
import { makeHttpCheck } from '../helpers/checks.js';
import { repoRoot } from '../helpers/paths.js';
import { closedPort, startHttpServer, type HttpTestServer } from '../helpers/servers.js';

const probe = createHttpProbe();
const packageVersion = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string })
  .version;

function redirect(res: ServerResponse, status: number, location: string): void {
  res.writeHead(status, { location });
  res.end();
}

/** Routes of the shared server; held responses are ended by the server's close. */
function route(url: string, method: string, res: ServerResponse): void {
  if (url === '/ok') return void res.end('hello');
  if (url === '/unavailable') return void res.writeHead(503).end('down');
  if (url === '/slow') return; // never answers
  if (url === '/late-headers') return void setTimeout(() => res.end('late'), 200);
  if (url === '/late-body') {
    res.writeHead(200, { 'content-length': '4' });
    res.flushHeaders();
    return void setTimeout(() => res.end('body'), 200);
  }
  if (url === '/r/a') return redirect(res, 301, '/r/b');
  if (url === '/r/b') return redirect(res, 302, 'c?x=1'); // relative to /r/b
  if (url === '/r/c?x=1') return void res.end('landed');
  if (url.startsWith('/chain/')) return redirect(res, 302, `/chain/${Number(url.slice(7)) + 1}`);
  if (url === '/loop/1') return redirect(res, 302, '/loop/2');
  if (url === '/loop/2') return redirect(res, 302, `/loop/1`);
  if (url === '/post-303') return redirect(res, 303, '/landing');
  if (url === '/post-307') return redirect(res, 307, '/landing');
  if (url === '/landing') return void res.end(method);
  res.writeHead(404).end();
}

function plausiblePhases(o: Observation): void {
  const values = Object.values(o.phases);
  for (const v of values) assert.ok(v >= 0 && v < 5, `phase ${v} out of range`);
  const sum = values.reduce((a, b) => a + b, 0);
  assert.ok(sum <= o.durationSeconds + 0.001, `phases sum ${sum} > duration ${o.durationSeconds}`);
}

describe('http probe against a loopback server', () => {
  let server: HttpTestServer;
  const url = (path: string): string => `${server.origin}${path}`;

  before(async () => {
    server = await startHttpServer((req, res) => route(req.url ?? '', req.method ?? '', res));
  });
  after(async () => {
    await probe.close?.();
    await server.close();
  });

  test('200: every phase present and plausible, facts filled in', async () => {
    const o = await probe.run(makeHttpCheck({ target: url('/ok') }), { signal: AbortSignal.timeout(5000) });
    assert.equal(o.ok, true, o.message);
    assert.equal(o.reason, undefined);
    assert.equal(o.http?.status, 200);
    assert.equal(o.http?.bodyBytes, 5);
    assert.equal(o.http?.body, undefined, 'no expectation reads the body, so it is not kept');
    assert.equal(o.http?.ssl, false);
    assert.equal(o.http?.redirects, 0);
    assert.equal(o.http?.finalUrl, url('/ok'));
    assert.equal(o.http?.headers['content-length'], '5');
    assert.equal(o.tls, undefined);
    assert.deepEqual(Object.keys(o.phases).sort(), ['connect', 'processing', 'resolve', 'transfer']);
    assert.equal(o.phases.resolve, 0, 'an IP literal is not resolved');
    assert.equal(o.dnsLookupSeconds, 0);
    plausiblePhases(o);
  });

  test('phases come from real events: a slow server shows in processing, a slow body in transfer', async () => {
    const late = await probe.run(makeHttpCheck({ target: url('/late-headers') }), {
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(late.ok, true, late.message);
    // Lower bounds only (a server timer cannot fire early); the other phase is compared, not timed.
    assert.ok((late.phases.processing ?? 0) >= 0.19, `processing ${late.phases.processing}`);
    assert.ok((late.phases.transfer ?? 1) < (late.phases.processing ?? 0), `transfer ${late.phases.transfer}`);
    const slowBody = await probe.run(makeHttpCheck({ target: url('/late-body') }), {
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(slowBody.ok, true, slowBody.message);
    assert.ok((slowBody.phases.transfer ?? 0) >= 0.19, `transfer ${slowBody.phases.transfer}`);
    assert.ok(
      (slowBody.phases.processing ?? 1) < (slowBody.phases.transfer ?? 0),
      `processing ${slowBody.phases.processing}`,
    );
    plausiblePhases(late);
    plausiblePhases(slowBody);
  });

  test('a 503 is an observation with ok: true; judging the status is not the probe’s job', async () => {
    const o = await probe.run(makeHttpCheck({ target: url('/unavailable') }), { signal: AbortSignal.timeout(5000) });
    assert.equal(o.ok, true);
    assert.equal(o.http?.status, 503);
  });

  test('default user-agent, configured headers and context headers reach the server', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const before = server.requests.length;
    await probe.run(makeHttpCheck({ target: url('/ok'), http: { headers: { 'X-Team': 'sre' } } }), {
      signal: AbortSignal.timeout(5000),
      headers: { traceparent },
    });
    const seen = server.requests[before];
    assert.equal(seen?.headers['user-agent'], `canary/${packageVersion}`);
    assert.equal(seen?.headers['x-team'], 'sre');
    assert.equal(seen?.headers.traceparent, traceparent);
    await probe.run(makeHttpCheck({ target: url('/ok'), http: { headers: { 'User-Agent': 'mine/1' } } }), {
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(server.requests[before + 1]?.headers['user-agent'], 'mine/1');
  });

  test('redirects are followed and counted, relative Location included', async () => {
    const o = await probe.run(makeHttpCheck({ target: url('/r/a') }), { signal: AbortSignal.timeout(5000) });
    assert.equal(o.ok, true, o.message);
    assert.equal(o.http?.redirects, 2);
    assert.equal(o.http?.status, 200);
    assert.equal(o.http?.finalUrl, url('/r/c?x=1'));
    plausiblePhases(o);
  });

  test('followRedirects: false returns the redirect itself', async () => {
    const o = await probe.run(makeHttpCheck({ target: url('/r/a'), http: { followRedirects: false } }), {
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(o.ok, true);
    assert.equal(o.http?.status, 301);
    assert.equal(o.http?.redirects, 0);
  });

  test('more redirects than maxRedirects fail with reason redirects', async () => {
    const o = await probe.run(makeHttpCheck({ target: url('/chain/0'), http: { maxRedirects: 3 } }), {
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(o.ok, false);
    assert.equal(o.reason, 'redirects');
    assert.match(o.message ?? '', /stopped after 3 redirects/);
    assert.equal(o.http?.redirects, 3);
    assert.equal(o.http?.status, 302);
  });

  test('a redirect loop is named as a loop', async () => {
    const o = await probe.run(makeHttpCheck({ target: url('/loop/1') }), { signal: AbortSignal.timeout(5000) });
    assert.equal(o.ok, false);
    assert.equal(o.reason, 'redirects');
    assert.match(o.message ?? '', /loop/);
    assert.equal(o.http?.redirects, 1);
  });

  test('303 turns a POST into a GET without body; 307 keeps both', async () => {
    const before = server.requests.length;
    const post = { method: 'POST' as const, body: '{"a":1}', headers: { 'content-type': 'application/json' } };
    const o = await probe.run(
      makeHttpCheck({ target: url('/post-303'), http: post, expect: { body: [{ matches: '.' }] } }),
      {
        signal: AbortSignal.timeout(5000),
      },
    );
    assert.equal(o.http?.body, 'GET');
    const landing = server.requests[before + 1];
    assert.equal(landing?.method, 'GET');
    assert.equal(landing?.body, '');
    assert.equal(landing?.headers['content-type'], undefined);
    const kept = await probe.run(
      makeHttpCheck({ target: url('/post-307'), http: post, expect: { body: [{ matches: '.' }] } }),
      {
        signal: AbortSignal.timeout(5000),
      },
    );
    assert.equal(kept.http?.body, 'POST');
    assert.equal(server.requests[before + 3]?.body, '{"a":1}');
  });

  test('a server that never answers: reason timeout, returned about when the signal fired', async () => {
    const started = performance.now();
    const o = await probe.run(makeHttpCheck({ target: url('/slow') }), { signal: AbortSignal.timeout(300) });
    const elapsed = performance.now() - started;
    assert.equal(o.ok, false);
    assert.equal(o.reason, 'timeout');
    assert.match(o.message ?? '', /response headers/);
    assert.ok(elapsed >= 250 && elapsed < 3000, `returned after ${elapsed}ms`);
    assert.ok(o.durationSeconds >= 0.25 && o.durationSeconds < 3);
  });

  test('an abort for another reason is aborted, not timeout', async () => {
    const controller = new AbortController();
    const pending = probe.run(makeHttpCheck({ target: url('/slow') }), { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('agent stopping')), 100);
    const o = await pending;
    assert.equal(o.reason, 'aborted');
    const early = await probe.run(makeHttpCheck({ target: url('/ok') }), { signal: AbortSignal.abort() });
    assert.equal(early.reason, 'aborted');
  });

  test('a refused port is reason refused, with the socket error in words', async () => {
    const port = await closedPort();
    const o = await probe.run(makeHttpCheck({ target: `http://127.0.0.1:${port}/` }), {
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(o.ok, false);
    assert.equal(o.reason, 'refused');
    assert.equal(o.message, `connect ECONNREFUSED 127.0.0.1:${port}`);
    assert.equal(o.http, undefined);
  });

  test('a name under .invalid does not resolve: reason dns', async () => {
    const o = await probe.run(makeHttpCheck({ target: 'http://no-such-host.invalid/' }), {
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(o.reason, 'dns');
    assert.match(o.message ?? '', /ENOTFOUND/);
    assert.equal(typeof o.phases.resolve, 'number');
    assert.equal(o.phases.connect, undefined);
  });

  test('ipFamily ipv4 on localhost connects over IPv4, keeping the Host header', async () => {
    const before = server.requests.length;
    const o = await probe.run(
      makeHttpCheck({ target: `http://localhost:${server.port}/ok`, http: { ipFamily: 'ipv4' } }),
      {
        signal: AbortSignal.timeout(5000),
      },
    );
    assert.equal(o.ok, true, o.message);
    assert.equal(typeof o.phases.resolve, 'number');
    assert.equal(o.dnsLookupSeconds, o.phases.resolve);
    const seen = server.requests[before];
    assert.equal(seen?.remoteAddress, '127.0.0.1');
    assert.equal(seen?.headers.host, `localhost:${server.port}`);
  });

  test('ipFamily ipv6 without fallback on an IPv4-only name: reason dns', async (t) => {
    const addresses = await dns.lookup('localhost', { all: true });
    if (addresses.some((a) => a.family === 6)) return t.skip('localhost has an IPv6 address here');
    const check = (fallback: boolean) =>
      makeHttpCheck({ target: `http://localhost:${server.port}/ok`, http: { ipFamily: 'ipv6', ipFallback: fallback } });
    const strict = await probe.run(check(false), { signal: AbortSignal.timeout(5000) });
    assert.equal(strict.reason, 'dns');
    assert.match(strict.message ?? '', /no IPv6 address/);
    const lenient = await probe.run(check(true), { signal: AbortSignal.timeout(5000) });
    assert.equal(lenient.ok, true, lenient.message);
  });

  test('an unusable target that slipped past validation is a failed observation, not an exception', async () => {
    const check = { ...makeHttpCheck({ target: url('/ok') }), target: 'ftp://127.0.0.1/' };
    const o = await probe.run(check, { signal: AbortSignal.timeout(5000) });
    assert.equal(o.ok, false);
    assert.equal(o.reason, 'unknown');
    assert.match(o.message ?? '', /http/);
  });
});
