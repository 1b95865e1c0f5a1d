/**
 * `http.proxy` and the Host override against real servers on 127.0.0.1: a forward proxy
 * written for the test (CONNECT tunnels and plain forwarding, counting what it is asked
 * and requiring Proxy-Authorization when told to), plain and TLS targets, and a target
 * that requires a client certificate, reached through the tunnel.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createHttpProbe } from '../../src/probes/http.js';
import { makeHttpCheck } from '../helpers/checks.js';
import { haveOpenssl, makeTestCerts, type TestCerts } from '../helpers/certs.js';
import { startForwardProxy, type ForwardProxy } from '../helpers/forward-proxy.js';
import { startHttpServer, startHttpsServer, type HttpTestServer } from '../helpers/servers.js';

const signal = (): AbortSignal => AbortSignal.timeout(5000);
const hello = (_req: IncomingMessage, res: ServerResponse): void => void res.end('hello');

describe('http probe through http.proxy, and the Host override', async () => {
  const available = await haveOpenssl();
  const probe = createHttpProbe();
  let certs: TestCerts;
  let plain: HttpTestServer;
  let secure: HttpTestServer;
  let mutual: HttpTestServer;
  let open: ForwardProxy;
  let guarded: ForwardProxy;

  before(async () => {
    plain = await startHttpServer(hello);
    open = await startForwardProxy();
    guarded = await startForwardProxy('proxy-user:proxy-Pa55');
    if (!available) return;
    certs = await makeTestCerts();
    secure = await startHttpsServer(certs.localhost, hello);
    mutual = await startHttpsServer({ ...certs.localhost, clientCa: certs.ca.cert }, hello);
  });
  after(async () => {
    await probe.close?.();
    await Promise.all([plain, secure, mutual, open, guarded].map((s) => s?.close()));
    await certs?.cleanup();
  });

  test('an http target goes to the proxy as an absolute-form request, Host naming the target', async () => {
    // The proxy reaches every name on 127.0.0.1: the probe never resolves proxy-only.test.
    const url = `http://proxy-only.test:${plain.port}/path?q=1`;
    const before = open.requests.length;
    const o = await probe.run(makeHttpCheck({ target: url, http: { proxy: { url: open.url } } }), { signal: signal() });
    assert.equal(o.ok, true, o.message);
    assert.equal(o.http?.status, 200);
    assert.deepEqual(
      open.requests.slice(before).map((r) => `${r.method} ${r.target}`),
      [`GET ${url}`],
    );
    assert.equal(plain.requests.at(-1)?.headers.host, `proxy-only.test:${plain.port}`);
    assert.equal(plain.requests.at(-1)?.url, '/path?q=1');
  });

  test('credentials in the proxy URL are sent as Proxy-Authorization, never to the target', async () => {
    const proxy = { url: `http://proxy-user:proxy-Pa55@127.0.0.1:${guarded.port}` };
    const before = guarded.requests.length;
    const o = await probe.run(makeHttpCheck({ target: `${plain.origin}/`, http: { proxy } }), { signal: signal() });
    assert.equal(o.http?.status, 200, o.message);
    assert.deepEqual(
      guarded.requests.slice(before).map((r) => r.refused),
      [false],
    );
    assert.equal(plain.requests.at(-1)?.headers['proxy-authorization'], undefined);
    // Without them the proxy answers 407 for itself.
    const bare = await probe.run(makeHttpCheck({ target: `${plain.origin}/`, http: { proxy: { url: guarded.url } } }), {
      signal: signal(),
    });
    assert.equal(bare.http?.status, 407);
  });

  test('an https target goes through a CONNECT tunnel: TLS end to end, facts and phases kept', async (t) => {
    if (!available) return t.skip('openssl not found');
    const before = open.requests.length;
    const target = `https://localhost:${secure.port}/`;
    const check = makeHttpCheck({
      target,
      http: { proxy: { url: open.url, connectHeaders: { 'X-Tenant': 'canary' } } },
      tls: { ca: certs.ca.certPath },
    });
    const o = await probe.run(check, { signal: signal() });
    assert.equal(o.ok, true, o.message);
    assert.equal(o.tls?.subject, 'localhost');
    assert.equal(o.tls?.earliestCertExpiry, certs.localhost.notAfter);
    assert.equal(typeof o.phases.connect, 'number');
    assert.equal(typeof o.phases.tls, 'number');
    const asked = open.requests.slice(before);
    assert.deepEqual(
      asked.map((r) => `${r.method} ${r.target}`),
      [`CONNECT localhost:${secure.port}`],
    );
    assert.equal(asked[0]?.headers['x-tenant'], 'canary');
    assert.equal(secure.requests.at(-1)?.servername, 'localhost');
  });

  test('a proxy refusing CONNECT fails the check with reason connect and its status', async (t) => {
    if (!available) return t.skip('openssl not found');
    const check = makeHttpCheck({
      target: `https://localhost:${secure.port}/`,
      http: { proxy: { url: guarded.url } },
      tls: { ca: certs.ca.certPath },
    });
    const o = await probe.run(check, { signal: signal() });
    assert.equal(o.ok, false);
    assert.equal(o.reason, 'connect', o.message);
    assert.match(o.message ?? '', /refused CONNECT localhost:\d+: 407 Proxy Authentication Required/);
    const authed = makeHttpCheck({
      target: `https://localhost:${secure.port}/`,
      http: { proxy: { url: `http://proxy-user:proxy-Pa55@127.0.0.1:${guarded.port}` } },
      tls: { ca: certs.ca.certPath },
    });
    assert.equal((await probe.run(authed, { signal: signal() })).ok, true);
  });

  test('mutual TLS through the tunnel: the client certificate reaches the target', async (t) => {
    if (!available) return t.skip('openssl not found');
    const target = `https://localhost:${mutual.port}/`;
    const tls = { ca: certs.ca.certPath, cert: certs.client.certPath, key: certs.client.keyPath };
    const o = await probe.run(makeHttpCheck({ target, http: { proxy: { url: open.url } }, tls }), { signal: signal() });
    assert.equal(o.ok, true, o.message);
    assert.equal(mutual.requests.at(-1)?.clientCn, 'canary-client');
  });

  test('the OAuth2 token request goes through the proxy too, with its credentials', async () => {
    const idp = await startHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"via-proxy-1","expires_in":60}');
    });
    try {
      const before = guarded.requests.length;
      const check = makeHttpCheck({
        target: `${plain.origin}/`,
        http: {
          proxy: { url: `http://proxy-user:proxy-Pa55@127.0.0.1:${guarded.port}` },
          auth: { oauth2: { tokenUrl: `${idp.origin}/token`, clientId: 'proxied' } },
        },
      });
      const o = await probe.run(check, { signal: signal() });
      assert.equal(o.http?.status, 200, o.message);
      assert.deepEqual(
        guarded.requests.slice(before).map((r) => `${r.method} ${r.target} ${r.refused}`),
        [`CONNECT 127.0.0.1:${idp.port} false`, `GET ${plain.origin}/ false`],
      );
      assert.equal(plain.requests.at(-1)?.headers.authorization, 'Bearer via-proxy-1');
    } finally {
      await idp.close();
    }
  });

  test("the address policy is asked about the proxy's address, and an IP-literal target's", async () => {
    const asked: string[] = [];
    const refuse = (port: number) => (host: string, address: string, p: number) => {
      asked.push(`${host} ${address}:${p}`);
      return p === port ? 'refused for the test' : undefined;
    };
    const before = open.requests.length;
    const check = makeHttpCheck({ target: `${plain.origin}/`, http: { proxy: { url: open.url } } });
    const o = await probe.run(check, { signal: signal(), vetAddress: refuse(plain.port) });
    assert.equal(o.reason, 'connect', o.message);
    assert.match(o.message ?? '', /refused by server\.probe: refused for the test/);
    assert.equal(open.requests.length, before, 'nothing reached the proxy');
    const viaProxy = await probe.run(check, { signal: signal(), vetAddress: refuse(open.port) });
    assert.equal(viaProxy.reason, 'connect', viaProxy.message);
    assert.deepEqual(asked, [
      `127.0.0.1 127.0.0.1:${open.port}`,
      `127.0.0.1 127.0.0.1:${plain.port}`,
      `127.0.0.1 127.0.0.1:${open.port}`,
    ]);
  });

  test('a Host header is sent as the Host; SNI stays tls.serverName', async (t) => {
    const o = await probe.run(
      makeHttpCheck({ target: `${plain.origin}/`, http: { headers: { Host: 'virtual.test' } } }),
      { signal: signal() },
    );
    assert.equal(o.ok, true, o.message);
    assert.equal(plain.requests.at(-1)?.headers.host, 'virtual.test');
    if (!available) return t.skip('openssl not found');
    const check = makeHttpCheck({
      target: `${secure.origin}/`,
      http: { headers: { host: 'virtual.test' } },
      tls: { ca: certs.ca.certPath, serverName: 'localhost' },
    });
    const tlsRun = await probe.run(check, { signal: signal() });
    assert.equal(tlsRun.ok, true, tlsRun.message);
    assert.equal(secure.requests.at(-1)?.headers.host, 'virtual.test');
    assert.equal(secure.requests.at(-1)?.servername, 'localhost');
  });

  test('a Host override is not carried to another host on a redirect, even with crossHostHeaders: keep', async () => {
    const away = await startHttpServer((req, res) => {
      res.writeHead(302, { location: `${plain.origin}/landed` }).end();
    });
    try {
      const check = makeHttpCheck({
        target: `${away.origin}/`,
        http: { headers: { Host: 'virtual.test', 'X-Keep': 'yes' }, crossHostHeaders: 'keep' },
      });
      const o = await probe.run(check, { signal: signal() });
      assert.equal(o.ok, true, o.message);
      assert.equal(away.requests.at(-1)?.headers.host, 'virtual.test');
      const landed = plain.requests.at(-1);
      assert.equal(landed?.url, '/landed');
      assert.equal(landed?.headers.host, `127.0.0.1:${plain.port}`);
      assert.equal(landed?.headers['x-keep'], 'yes');
    } finally {
      await away.close();
    }
  });
});
