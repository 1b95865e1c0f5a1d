import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createServer, type Server, type TlsOptions } from 'node:tls';
import { createTlsProbe } from '../../src/probes/tls.js';
import { executeCheck } from '../../src/run/execute.js';
import { haveOpenssl, makeTestCerts, type TestCerts } from '../helpers/certs.js';
import { makeCheck, metricLines } from '../helpers/kind-checks.js';
import { closedPort } from '../helpers/servers.js';

const signal = (): AbortSignal => AbortSignal.timeout(5000);
const DAY = 86_400;

describe('tls probe', async () => {
  const available = await haveOpenssl();
  const probe = createTlsProbe();
  let certs: TestCerts;
  const servers = new Map<string, Server>();
  const target = (name: string): string =>
    `127.0.0.1:${(servers.get(name)?.address() as { port: number } | null)?.port ?? 1}`;

  const serve = async (name: string, options: TlsOptions): Promise<void> => {
    // The handshake is all the probe wants; the server closes once it is done.
    const server = createServer(options, (socket) => socket.end());
    server.on('tlsClientError', () => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.set(name, server);
  };

  before(async () => {
    if (!available) return;
    certs = await makeTestCerts();
    await serve('localhost', { cert: certs.localhost.cert, key: certs.localhost.key });
    await serve('other', { cert: certs.otherName.cert, key: certs.otherName.key });
    await serve('expired', { cert: certs.expired.cert, key: certs.expired.key });
    await serve('expiring', { cert: certs.chained.cert, key: certs.chained.key });
    await serve('tls12', { cert: certs.localhost.cert, key: certs.localhost.key, maxVersion: 'TLSv1.2' });
  });
  after(async () => {
    await Promise.all([...servers.values()].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    await certs?.cleanup();
  });

  test('a trusted certificate: ok, with the chain, version, name match and resolve/connect/tls phases', async (t) => {
    if (!available) return t.skip('openssl not found');
    const o = await probe.run(makeCheck('tls', { target: target('localhost'), tls: { ca: certs.ca.certPath } }), {
      signal: signal(),
    });
    assert.equal(o.ok, true, o.message);
    assert.equal(o.tls?.version, 'TLSv1.3');
    assert.equal(o.tls?.verified, true);
    assert.equal(o.tls?.hostnameMatch, true);
    assert.equal(o.tls?.chainLength, 2, 'the server sends its leaf and the CA');
    assert.equal(o.tls?.earliestCertExpiry, certs.localhost.notAfter);
    assert.deepEqual(Object.keys(o.phases).sort(), ['connect', 'resolve', 'tls']);
  });

  test('an intermediate expiring first: earliest expiry is the CA, and minDaysToExpiry fails with reason assertion', async (t) => {
    if (!available) return t.skip('openssl not found');
    const check = makeCheck('tls', {
      target: target('expiring'),
      tls: { ca: certs.shortCa.certPath },
      expect: { minDaysToExpiry: 14 },
    });
    const result = await executeCheck(check, probe, { signal: signal() }, { region: 'test' });
    assert.equal(result.observation.tls?.earliestCertExpiry, certs.shortCa.notAfter);
    assert.ok(certs.shortCa.notAfter < certs.chained.notAfter);
    assert.equal(result.ok, false);
    assert.equal(result.reason, 'assertion');
    assert.equal(result.outcomes[0]?.name, 'minDaysToExpiry');
    assert.match(result.outcomes[0]?.actual ?? '', /^(9|10)\.\d day\(s\) left$/);
    const lines = await metricLines(result, 'probe_ssl_earliest_cert_expiry{');
    assert.deepEqual(lines, [
      `probe_ssl_earliest_cert_expiry{check="test-check",kind="tls",region="test"} ${certs.shortCa.notAfter}`,
    ]);
    const ok = await executeCheck(
      { ...check, expect: { ...check.expect, minDaysToExpiry: 5 } },
      probe,
      { signal: signal() },
      { region: 'test' },
    );
    assert.equal(ok.ok, true, ok.message);
  });

  test('a hostname mismatch is reason tls with the facts kept; with insecure, hostnameMatch: true is an assertion', async (t) => {
    if (!available) return t.skip('openssl not found');
    const strict = await probe.run(makeCheck('tls', { target: target('other'), tls: { ca: certs.ca.certPath } }), {
      signal: signal(),
    });
    assert.equal(strict.ok, false);
    assert.equal(strict.reason, 'tls');
    assert.match(strict.message ?? '', /does not match the server name \(subject canary\.test\)/);
    assert.equal(strict.tls?.verified, true);
    assert.equal(strict.tls?.hostnameMatch, false);
    const check = makeCheck('tls', {
      target: target('other'),
      tls: { ca: certs.ca.certPath, insecure: true },
      expect: { hostnameMatch: true },
    });
    const result = await executeCheck(check, probe, { signal: signal() }, { region: 'test' });
    assert.equal(result.reason, 'assertion');
    assert.deepEqual(
      result.outcomes.map((o) => [o.name, o.ok]),
      [['hostnameMatch', false]],
    );
    const named = await probe.run(
      makeCheck('tls', { target: target('other'), tls: { ca: certs.ca.certPath, serverName: 'canary.test' } }),
      { signal: signal() },
    );
    assert.equal(named.ok, true, named.message);
  });

  test('an expired certificate is reason tls, naming CERT_HAS_EXPIRED, with its expiry in the past', async (t) => {
    if (!available) return t.skip('openssl not found');
    const o = await probe.run(makeCheck('tls', { target: target('expired'), tls: { ca: certs.ca.certPath } }), {
      signal: signal(),
    });
    assert.equal(o.reason, 'tls');
    assert.match(o.message ?? '', /CERT_HAS_EXPIRED/);
    assert.equal(o.tls?.verifyError, 'CERT_HAS_EXPIRED');
    assert.ok((o.tls?.earliestCertExpiry ?? Infinity) < Date.now() / 1000 + DAY);
  });

  test('versions: a TLS 1.2-only server fails [TLSv1.3] and passes [TLSv1.2, TLSv1.3]', async (t) => {
    if (!available) return t.skip('openssl not found');
    const base = { target: target('tls12'), tls: { ca: certs.ca.certPath } };
    const strict = await executeCheck(
      makeCheck('tls', { ...base, expect: { versions: ['TLSv1.3'] } }),
      probe,
      { signal: signal() },
      { region: 'test' },
    );
    assert.equal(strict.reason, 'assertion');
    assert.equal(strict.message, 'versions: expected one of TLSv1.3, got TLSv1.2');
    const lax = await executeCheck(
      makeCheck('tls', { ...base, expect: { versions: ['TLSv1.2', 'TLSv1.3'] } }),
      probe,
      { signal: signal() },
      { region: 'test' },
    );
    assert.equal(lax.ok, true, lax.message);
  });

  test('nothing listening is reason refused', async () => {
    const o = await probe.run(makeCheck('tls', { target: `127.0.0.1:${await closedPort()}` }), { signal: signal() });
    assert.equal(o.reason, 'refused');
    assert.equal(o.tls, undefined);
  });
});
