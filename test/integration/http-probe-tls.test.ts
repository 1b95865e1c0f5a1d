import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadConfig } from '../../src/config/load.js';
import type { ResolvedHttpCheck } from '../../src/config/types.js';
import { createHttpProbe } from '../../src/probes/http.js';
import { executeCheck } from '../../src/run/execute.js';
import { makeHttpCheck } from '../helpers/checks.js';
import { haveOpenssl, makeTestCerts, type CertFiles, type TestCerts } from '../helpers/certs.js';
import { startHttpServer, startHttpsServer, type HttpTestServer } from '../helpers/servers.js';

const signal = (): AbortSignal => AbortSignal.timeout(5000);

describe('http probe over TLS', async () => {
  const available = await haveOpenssl();
  const probe = createHttpProbe();
  let certs: TestCerts;
  const servers = new Map<string, HttpTestServer>();
  let plain: HttpTestServer;

  const origin = (name: string): string => servers.get(name)?.origin ?? 'https://127.0.0.1:1';
  const hello = (_req: unknown, res: ServerResponse): void => void res.end('secure');
  const serve = async (name: string, files: CertFiles): Promise<void> => {
    servers.set(name, await startHttpsServer(files, hello));
  };

  before(async () => {
    if (!available) return;
    certs = await makeTestCerts();
    await serve('localhost', certs.localhost);
    await serve('other', certs.otherName);
    await serve('expired', certs.expired);
    await serve('chained', certs.chained);
    servers.set('mutual', await startHttpsServer({ ...certs.localhost, clientCa: certs.ca.cert }, hello));
    plain = await startHttpServer((req, res) => {
      res.writeHead(301, { location: `${origin('localhost')}/landed` }).end();
    });
  });
  after(async () => {
    await probe.close?.();
    await Promise.all([...servers.values()].map((s) => s.close()));
    await plain?.close();
    await certs?.cleanup();
  });

  test('trusted through tls.ca: ok, with TLS facts and a tls phase', async (t) => {
    if (!available) return t.skip('openssl not found');
    const o = await probe.run(makeHttpCheck({ target: `${origin('localhost')}/`, tls: { ca: certs.ca.certPath } }), {
      signal: signal(),
    });
    assert.equal(o.ok, true, o.message);
    assert.equal(o.http?.ssl, true);
    assert.equal(o.http?.status, 200);
    assert.match(o.tls?.version ?? '', /^TLSv1\.[23]$/);
    assert.ok((o.tls?.cipher ?? '').length > 0);
    assert.equal(o.tls?.earliestCertExpiry, certs.localhost.notAfter, 'the leaf expires before its CA');
    assert.equal(o.tls?.subject, 'localhost');
    assert.equal(o.tls?.issuer, 'canary-test-ca');
    assert.equal(typeof o.phases.tls, 'number');
    const sum = Object.values(o.phases).reduce((a, b) => a + b, 0);
    assert.ok(sum <= o.durationSeconds + 0.001);
  });

  test('the earliest expiry is taken across the chain: a CA expiring before its leaf wins', async (t) => {
    if (!available) return t.skip('openssl not found');
    const o = await probe.run(makeHttpCheck({ target: `${origin('chained')}/`, tls: { ca: certs.shortCa.certPath } }), {
      signal: signal(),
    });
    assert.equal(o.ok, true, o.message);
    assert.ok(certs.shortCa.notAfter < certs.chained.notAfter);
    assert.equal(o.tls?.earliestCertExpiry, certs.shortCa.notAfter);
  });

  test('without the CA the certificate is rejected: reason tls', async (t) => {
    if (!available) return t.skip('openssl not found');
    const o = await probe.run(makeHttpCheck({ target: `${origin('localhost')}/` }), { signal: signal() });
    assert.equal(o.ok, false);
    assert.equal(o.reason, 'tls');
    assert.match(o.message ?? '', /certificate/i);
  });

  test('insecure: true skips verification and still reports the facts', async (t) => {
    if (!available) return t.skip('openssl not found');
    const o = await probe.run(makeHttpCheck({ target: `${origin('expired')}/`, tls: { insecure: true } }), {
      signal: signal(),
    });
    assert.equal(o.ok, true, o.message);
    assert.equal(o.tls?.earliestCertExpiry, certs.expired.notAfter);
    assert.ok((o.tls?.earliestCertExpiry ?? Infinity) < Date.now() / 1000);
  });

  test('an expired certificate is reason tls even with the right CA', async (t) => {
    if (!available) return t.skip('openssl not found');
    const o = await probe.run(makeHttpCheck({ target: `${origin('expired')}/`, tls: { ca: certs.ca.certPath } }), {
      signal: signal(),
    });
    assert.equal(o.reason, 'tls');
    assert.match(o.message ?? '', /expired/);
  });

  test('serverName sets SNI and the verification name', async (t) => {
    if (!available) return t.skip('openssl not found');
    const target = `${origin('other')}/`;
    const mismatch = await probe.run(makeHttpCheck({ target, tls: { ca: certs.ca.certPath } }), { signal: signal() });
    assert.equal(mismatch.reason, 'tls');
    const server = servers.get('other') as HttpTestServer;
    const before = server.requests.length;
    const o = await probe.run(makeHttpCheck({ target, tls: { ca: certs.ca.certPath, serverName: 'canary.test' } }), {
      signal: signal(),
    });
    assert.equal(o.ok, true, o.message);
    assert.equal(o.tls?.subject, 'canary.test');
    assert.equal(server.requests[before]?.servername, 'canary.test');
    assert.equal(server.requests[before]?.headers.host, new URL(target).host, 'the Host header keeps the URL host');
  });

  test('mutual TLS: the client certificate from tls.cert and tls.key is presented', async (t) => {
    if (!available) return t.skip('openssl not found');
    const target = `${origin('mutual')}/`;
    const anonymous = await probe.run(makeHttpCheck({ target, tls: { ca: certs.ca.certPath } }), { signal: signal() });
    assert.equal(anonymous.ok, false);
    // TLS 1.3: the handshake completes, then the server's alert arrives in place of a response.
    assert.equal(anonymous.reason, 'tls', anonymous.message);
    assert.match(anonymous.message ?? '', /certificate required/i);
    const server = servers.get('mutual') as HttpTestServer;
    const before = server.requests.length;
    const tls = { ca: certs.ca.certPath, cert: certs.client.certPath, key: certs.client.keyPath };
    const o = await probe.run(makeHttpCheck({ target, tls }), { signal: signal() });
    assert.equal(o.ok, true, o.message);
    assert.equal(server.requests[before]?.clientCn, 'canary-client');
  });

  test('mutual TLS from a config file: cert and key paths relative to the file reach the server', async (t) => {
    if (!available) return t.skip('openssl not found');
    const dir = mkdtempSync(join(tmpdir(), 'canary-mtls-'));
    try {
      mkdirSync(join(dir, 'certs'));
      copyFileSync(certs.ca.certPath, join(dir, 'certs', 'ca.pem'));
      copyFileSync(certs.client.certPath, join(dir, 'certs', 'client.pem'));
      copyFileSync(certs.client.keyPath, join(dir, 'certs', 'client.key'));
      const file = join(dir, 'agent.yaml');
      writeFileSync(
        file,
        [
          'checks:',
          '  - name: mutual',
          '    kind: http',
          `    target: ${origin('mutual')}/from-config`,
          '    tls: { ca: certs/ca.pem, cert: certs/client.pem, key: certs/client.key }',
        ].join('\n'),
      );
      const config = await loadConfig(file, { env: {} });
      const check = config.checks[0] as ResolvedHttpCheck;
      const result = await executeCheck(check, probe, { signal: signal() }, { region: 'test' });
      assert.equal(result.ok, true, result.message);
      const server = servers.get('mutual') as HttpTestServer;
      assert.equal(server.requests.at(-1)?.url, '/from-config');
      assert.equal(server.requests.at(-1)?.clientCn, 'canary-client');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an http -> https redirect is followed; ssl and TLS facts describe the final hop', async (t) => {
    if (!available) return t.skip('openssl not found');
    const o = await probe.run(makeHttpCheck({ target: `${plain.origin}/start`, tls: { ca: certs.ca.certPath } }), {
      signal: signal(),
    });
    assert.equal(o.ok, true, o.message);
    assert.equal(o.http?.redirects, 1);
    assert.equal(o.http?.ssl, true);
    assert.equal(o.http?.finalUrl, `${origin('localhost')}/landed`);
    assert.equal(o.tls?.subject, 'localhost');
  });

  test('TLS to a plain HTTP port is reason tls', async (t) => {
    if (!available) return t.skip('openssl not found');
    const target = plain.origin.replace('http://', 'https://');
    const o = await probe.run(makeHttpCheck({ target, tls: { ca: certs.ca.certPath } }), { signal: signal() });
    assert.equal(o.reason, 'tls', o.message);
  });

  test('an unreadable tls.ca file is reason tls, naming the file', async (t) => {
    if (!available) return t.skip('openssl not found');
    const missing = join(tmpdir(), 'canary-no-such-dir', 'ca.pem');
    const o = await probe.run(makeHttpCheck({ target: `${origin('localhost')}/`, tls: { ca: missing } }), {
      signal: signal(),
    });
    assert.equal(o.reason, 'tls');
    assert.match(o.message ?? '', /tls\.ca: cannot read .*ca\.pem/);
  });
});
