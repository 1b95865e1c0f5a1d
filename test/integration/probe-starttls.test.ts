/**
 * STARTTLS in a tcp conversation, against SMTP-, IMAP- and POP3-like servers on 127.0.0.1
 * that upgrade the same connection to TLS with a certificate made for the test.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTcpProbe } from '../../src/probes/tcp.js';
import { executeCheck } from '../../src/run/execute.js';
import { haveOpenssl, makeTestCerts, type TestCerts } from '../helpers/certs.js';
import { makeCheck } from '../helpers/kind-checks.js';
import {
  IMAP_STEPS,
  POP3_STEPS,
  SMTP_STEPS,
  startStartTlsServer,
  type StartTlsBehaviour,
} from '../helpers/starttls.js';

const signal = (ms = 5000): AbortSignal => AbortSignal.timeout(ms);

describe('tcp probe with STARTTLS', async () => {
  const available = await haveOpenssl();
  const probe = createTcpProbe();
  let certs: TestCerts;
  const closers: (() => Promise<void>)[] = [];

  before(async () => {
    if (available) certs = await makeTestCerts();
  });
  after(async () => {
    await Promise.all(closers.map((close) => close()));
    await certs?.cleanup();
  });

  async function serve(behaviour: Omit<StartTlsBehaviour, 'cert' | 'key'>, cert = certs.localhost): Promise<string> {
    const started = await startStartTlsServer({ ...behaviour, cert: cert.cert, key: cert.key });
    closers.push(started.close);
    return `127.0.0.1:${started.port}`;
  }

  test('SMTP: the connection is upgraded after 220, the rest of the session runs over TLS', async (t) => {
    if (!available) return t.skip('openssl not found');
    const target = await serve({ dialect: 'smtp' });
    const check = makeCheck('tcp', { target, tcp: { steps: SMTP_STEPS }, tls: { ca: certs.ca.certPath } });
    const o = await probe.run(check, { signal: signal() });
    assert.equal(o.ok, true, o.message);
    assert.deepEqual(o.tcp, { stepsCompleted: 6, ssl: true, lastLine: '221 2.0.0 bye' });
    assert.equal(typeof o.phases.tls, 'number');
    assert.equal(o.tls?.earliestCertExpiry, certs.localhost.notAfter);
    assert.equal(o.tls?.verified, true);
    assert.equal(o.tls?.hostnameMatch, true);
  });

  test('IMAP and POP3 conversations upgrade the same way', async (t) => {
    if (!available) return t.skip('openssl not found');
    for (const [dialect, steps] of [
      ['imap', IMAP_STEPS],
      ['pop3', POP3_STEPS],
    ] as const) {
      const target = await serve({ dialect });
      const check = makeCheck('tcp', { target, tcp: { steps }, tls: { ca: certs.ca.certPath } });
      const o = await probe.run(check, { signal: signal() });
      assert.equal(o.ok, true, `${dialect}: ${o.message}`);
      assert.equal(o.tcp?.stepsCompleted, steps.length, dialect);
      assert.equal(o.tcp?.ssl, true, dialect);
    }
  });

  test('an untrusted certificate is reason tls with its facts kept; tls.insecure lets it pass', async (t) => {
    if (!available) return t.skip('openssl not found');
    const target = await serve({ dialect: 'smtp' });
    const strict = await probe.run(makeCheck('tcp', { target, tcp: { steps: SMTP_STEPS } }), { signal: signal() });
    assert.equal(strict.reason, 'tls');
    assert.match(strict.message ?? '', /not trusted/);
    assert.equal(strict.tls?.verified, false);
    assert.equal(strict.tls?.earliestCertExpiry, certs.localhost.notAfter);
    assert.equal(strict.tcp?.stepsCompleted, 2, 'the starttls step did not complete');
    const lax = await probe.run(makeCheck('tcp', { target, tcp: { steps: SMTP_STEPS }, tls: { insecure: true } }), {
      signal: signal(),
    });
    assert.equal(lax.ok, true, lax.message);
  });

  test('a certificate for another name is reason tls', async (t) => {
    if (!available) return t.skip('openssl not found');
    const target = await serve({ dialect: 'smtp' }, certs.otherName);
    const check = makeCheck('tcp', { target, tcp: { steps: SMTP_STEPS }, tls: { ca: certs.ca.certPath } });
    const o = await probe.run(check, { signal: signal() });
    assert.equal(o.reason, 'tls');
    assert.equal(o.tls?.hostnameMatch, false);
  });

  test('a server refusing STARTTLS fails the step that expected its go-ahead, with no TLS facts', async (t) => {
    if (!available) return t.skip('openssl not found');
    const target = await serve({ dialect: 'smtp', refuse: true });
    const check = makeCheck('tcp', { target, tcp: { steps: SMTP_STEPS }, tls: { ca: certs.ca.certPath } });
    const o = await probe.run(check, { signal: signal() });
    assert.equal(o.reason, 'assertion');
    assert.match(
      o.message ?? '',
      /^tcp\.steps\[2\]: expected a line matching \/\^220 \/.*last "454 4\.7\.0 TLS not available"$/,
    );
    assert.equal(o.tls, undefined);
    assert.equal(o.tcp?.ssl, false);
  });

  test('bytes sent after the go-ahead, before the handshake, are reason protocol, not read as TLS data', async (t) => {
    if (!available) return t.skip('openssl not found');
    const target = await serve({ dialect: 'smtp', inject: '250 AUTH PLAIN\r\n' });
    const check = makeCheck('tcp', { target, tcp: { steps: SMTP_STEPS }, tls: { ca: certs.ca.certPath } });
    const o = await probe.run(check, { signal: signal() });
    assert.equal(o.reason, 'protocol', o.message);
    assert.match(
      o.message ?? '',
      /^tcp\.steps\[2\]: the server sent data before the TLS handshake that no step read \("250 AUTH PLAIN\\r\\n"\)/,
    );
    assert.equal(o.tls, undefined);
    assert.equal(o.phases.tls, undefined, 'no handshake was attempted');
  });

  test('a server that closes instead of starting TLS is reason tls: the handshake failed', async (t) => {
    if (!available) return t.skip('openssl not found');
    const target = await serve({ dialect: 'smtp', hangUp: true });
    const check = makeCheck('tcp', { target, tcp: { steps: SMTP_STEPS }, tls: { ca: certs.ca.certPath } });
    const o = await probe.run(check, { signal: signal() });
    assert.equal(o.reason, 'tls', o.message);
    assert.match(o.message ?? '', /^STARTTLS handshake failed: /);
    assert.equal(o.tcp?.stepsCompleted, 2);
    assert.equal(typeof o.phases.tls, 'number', 'the handshake was attempted and timed');
  });

  test('certMinLifetime applies to the upgraded connection: a 30-day certificate fails 60d', async (t) => {
    if (!available) return t.skip('openssl not found');
    const target = await serve({ dialect: 'smtp' });
    const check = makeCheck('tcp', {
      target,
      tcp: { steps: SMTP_STEPS },
      tls: { ca: certs.ca.certPath },
      expect: { certMinLifetime: '60d' },
    });
    const result = await executeCheck(check, probe, { signal: signal() }, { region: 'test' });
    assert.equal(result.reason, 'assertion');
    assert.equal(result.outcomes[0]?.name, 'certMinLifetime');
    assert.equal(result.outcomes[0]?.ok, false);
  });
});
