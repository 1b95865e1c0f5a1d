import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { createTcpProbe } from '../../src/probes/tcp.js';
import { executeCheck } from '../../src/run/execute.js';
import { haveOpenssl, makeTestCerts, type TestCerts } from '../helpers/certs.js';
import { makeCheck } from '../helpers/kind-checks.js';
import { closedPort, startTcpServer, type TestServer } from '../helpers/servers.js';

const signal = (ms = 5000): AbortSignal => AbortSignal.timeout(ms);

/** A small line protocol: a 220 banner, `PING x` answered `PONG x`, `QUIT` answered 221 and closed. */
function lineServer(socket: Socket): void {
  socket.write('220 canary-test ready\r\n');
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let at: number;
    while ((at = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, at).trim();
      buffer = buffer.slice(at + 1);
      if (line.startsWith('PING ')) socket.write(`PONG ${line.slice(5)}\r\n`);
      else if (line === 'QUIT') socket.end('221 bye\r\n');
      else socket.write('500 what?\r\n');
    }
  });
}

/** As blackbox_exporter's query_response, each step expects first, then sends. */
const CONVERSATION = [
  { expect: '^220 (\\S+)', send: 'PING ${1}\r\n' },
  { expect: '^PONG canary-test$', send: 'QUIT\r\n' },
  { expect: '^221' },
];

describe('tcp probe', () => {
  const probe = createTcpProbe();
  const servers: TestServer[] = [];
  let lines: TestServer;

  before(async () => {
    lines = await startTcpServer(lineServer);
    servers.push(lines);
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  test('connecting is enough without steps: ok, with resolve and connect phases', async () => {
    const o = await probe.run(makeCheck('tcp', { target: `127.0.0.1:${lines.port}` }), { signal: signal() });
    assert.equal(o.ok, true, o.message);
    assert.equal(o.phases.resolve, 0, 'an IP literal is not resolved');
    assert.equal(typeof o.phases.connect, 'number');
    assert.equal(o.phases.tls, undefined);
    assert.deepEqual(o.tcp, { stepsCompleted: 0, ssl: false });
  });

  test('a name is resolved and timed', async () => {
    const o = await probe.run(makeCheck('tcp', { target: `localhost:${lines.port}`, tcp: { ipFamily: 'ipv4' } }), {
      signal: signal(),
    });
    assert.equal(o.ok, true, o.message);
    assert.equal(typeof o.phases.resolve, 'number');
  });

  test('a send/expect conversation runs in order, with capture groups in send', async () => {
    const o = await probe.run(makeCheck('tcp', { target: `127.0.0.1:${lines.port}`, tcp: { steps: CONVERSATION } }), {
      signal: signal(),
    });
    assert.equal(o.ok, true, o.message);
    assert.equal(o.tcp?.stepsCompleted, 3);
    assert.equal(o.tcp?.lastLine, '221 bye');
  });

  test('an expect the peer never meets before closing fails with reason assertion, naming the step', async () => {
    const steps = [{ expect: '^220', send: 'QUIT\r\n' }, { expect: '^250' }];
    const o = await probe.run(makeCheck('tcp', { target: `127.0.0.1:${lines.port}`, tcp: { steps } }), {
      signal: signal(),
    });
    assert.equal(o.ok, false);
    assert.equal(o.reason, 'assertion');
    assert.match(
      o.message ?? '',
      /^tcp\.steps\[1\]: expected a line matching \/\^250\/, the connection closed after 1 line\(s\), last "221 bye"$/,
    );
    assert.equal(o.tcp?.stepsCompleted, 1);
  });

  test('a peer that never answers is a timeout during the conversation', async () => {
    const silent = await startTcpServer(() => {});
    servers.push(silent);
    const o = await probe.run(
      makeCheck('tcp', { target: `127.0.0.1:${silent.port}`, tcp: { steps: [{ expect: '^220' }] } }),
      { signal: signal(300) },
    );
    assert.equal(o.reason, 'timeout');
    assert.match(o.message ?? '', /during the conversation/);
    await silent.waitClosed(1);
  });

  test('a refused port is reason refused', async () => {
    const o = await probe.run(makeCheck('tcp', { target: `127.0.0.1:${await closedPort()}` }), { signal: signal() });
    assert.equal(o.reason, 'refused');
    assert.match(o.message ?? '', /ECONNREFUSED/);
  });

  test('a peer that resets the connection is reason reset', async () => {
    const resetting = await startTcpServer((socket) => socket.resetAndDestroy());
    servers.push(resetting);
    const o = await probe.run(
      makeCheck('tcp', { target: `127.0.0.1:${resetting.port}`, tcp: { steps: [{ expect: '^220' }] } }),
      { signal: signal() },
    );
    assert.equal(o.reason, 'reset', o.message);
  });

  test('a line over tcp.maxLineLength is reason protocol', async () => {
    const chatty = await startTcpServer((socket) => socket.write('x'.repeat(5000)));
    servers.push(chatty);
    const check = makeCheck('tcp', {
      target: `127.0.0.1:${chatty.port}`,
      tcp: { maxLineLength: 1024, steps: [{ expect: '^220' }] },
    });
    const o = await probe.run(check, { signal: signal() });
    assert.equal(o.reason, 'protocol');
    assert.match(o.message ?? '', /longer than 1024/);
  });
});

describe('tcp probe with TLS', async () => {
  const available = await haveOpenssl();
  const probe = createTcpProbe();
  let certs: TestCerts;
  let server: TlsServer;
  let port = 0;

  before(async () => {
    if (!available) return;
    certs = await makeTestCerts();
    server = createTlsServer({ cert: certs.localhost.cert, key: certs.localhost.key }, lineServer);
    server.on('tlsClientError', () => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  after(async () => {
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    await certs?.cleanup();
  });

  test('trusted through tls.ca: the conversation runs over TLS, with a tls phase and TLS facts', async (t) => {
    if (!available) return t.skip('openssl not found');
    const check = makeCheck('tcp', {
      target: `127.0.0.1:${port}`,
      tcp: { tls: true, steps: CONVERSATION },
      tls: { ca: certs.ca.certPath },
    });
    const o = await probe.run(check, { signal: signal() });
    assert.equal(o.ok, true, o.message);
    assert.equal(o.tcp?.ssl, true);
    assert.equal(o.tcp?.stepsCompleted, 3);
    assert.equal(typeof o.phases.tls, 'number');
    assert.equal(o.tls?.earliestCertExpiry, certs.localhost.notAfter);
    assert.equal(o.tls?.verified, true);
    assert.equal(o.tls?.hostnameMatch, true);
  });

  test('an untrusted certificate is reason tls, with the facts still reported; insecure lets it pass', async (t) => {
    if (!available) return t.skip('openssl not found');
    const strict = await probe.run(makeCheck('tcp', { target: `127.0.0.1:${port}`, tcp: { tls: true } }), {
      signal: signal(),
    });
    assert.equal(strict.reason, 'tls');
    assert.match(
      strict.message ?? '',
      /not trusted: UNABLE_TO_GET_ISSUER_CERT_LOCALLY|not trusted: SELF_SIGNED_CERT_IN_CHAIN/,
    );
    assert.equal(strict.tls?.verified, false);
    assert.equal(strict.tls?.earliestCertExpiry, certs.localhost.notAfter);
    const lax = await probe.run(
      makeCheck('tcp', {
        target: `127.0.0.1:${port}`,
        tcp: { tls: true, steps: CONVERSATION },
        tls: { insecure: true },
      }),
      { signal: signal() },
    );
    assert.equal(lax.ok, true, lax.message);
    assert.equal(lax.tls?.verified, false);
  });

  test('certMinLifetime is judged by the pipeline: a 30-day certificate fails 60d with reason assertion', async (t) => {
    if (!available) return t.skip('openssl not found');
    const check = makeCheck('tcp', {
      target: `127.0.0.1:${port}`,
      tcp: { tls: true },
      tls: { ca: certs.ca.certPath },
      expect: { certMinLifetime: '60d' },
    });
    const result = await executeCheck(check, probe, { signal: signal() }, { region: 'test' });
    assert.equal(result.ok, false);
    assert.equal(result.reason, 'assertion');
    assert.equal(result.outcomes[0]?.name, 'certMinLifetime');
  });
});
