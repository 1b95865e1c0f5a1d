/**
 * The unix socket probe against servers listening on socket files in a temporary
 * directory: a line conversation, STARTTLS over the socket, and its failures.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createUnixProbe } from '../../src/probes/unix.js';
import { executeCheck } from '../../src/run/execute.js';
import { haveOpenssl, makeTestCerts, type TestCerts } from '../helpers/certs.js';
import { makeCheck } from '../helpers/kind-checks.js';
import { SMTP_STEPS, startStartTlsServer } from '../helpers/starttls.js';

const signal = (ms = 5000): AbortSignal => AbortSignal.timeout(ms);

/** A 220 banner, `PING x` answered `PONG x`, `QUIT` answered 221 and closed. */
function lineServer(socket: Socket): void {
  socket.on('error', () => {});
  socket.write('220 canary-test ready\r\n');
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    for (const line of chunk.split('\n').map((l) => l.trim())) {
      if (line.startsWith('PING ')) socket.write(`PONG ${line.slice(5)}\r\n`);
      else if (line === 'QUIT') socket.end('221 bye\r\n');
    }
  });
}

const CONVERSATION = [
  { expect: '^220 (\\S+)', send: 'PING ${1}\r\n' },
  { expect: '^PONG canary-test$', send: 'QUIT\r\n' },
  { expect: '^221' },
];

describe('unix socket probe', async () => {
  const available = await haveOpenssl();
  const probe = createUnixProbe();
  let dir: string;
  let certs: TestCerts | undefined;
  const servers: Server[] = [];
  const closers: (() => Promise<void>)[] = [];

  async function listen(name: string, onSocket: (socket: Socket) => void): Promise<string> {
    const path = join(dir, name);
    const server = createServer(onSocket);
    await new Promise<void>((resolve) => server.listen(path, resolve));
    servers.push(server);
    return path;
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'canary-unix-'));
    if (available) certs = await makeTestCerts();
  });
  after(async () => {
    await Promise.all(closers.map((close) => close()));
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    await certs?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  test('a conversation over the socket: ok, with a connect phase and the conversation facts', async () => {
    const path = await listen('lines.sock', lineServer);
    const o = await probe.run(makeCheck('unix', { target: path, unix: { steps: CONVERSATION } }), { signal: signal() });
    assert.equal(o.ok, true, o.message);
    assert.deepEqual(o.unix, { stepsCompleted: 3, ssl: false, lastLine: '221 bye' });
    assert.equal(typeof o.phases.connect, 'number');
    assert.equal(o.phases.resolve, undefined, 'a path is not resolved');
    assert.equal(o.tls, undefined);
  });

  test('a socket path where nothing exists is reason refused', async () => {
    const o = await probe.run(makeCheck('unix', { target: join(dir, 'missing.sock') }), { signal: signal() });
    assert.equal(o.reason, 'refused');
    assert.match(o.message ?? '', /ENOENT/);
  });

  test('a socket file nobody listens on any more, or a file that is no socket, is reason refused', async () => {
    const stale = await listen('stale.sock', lineServer);
    const server = servers.pop()!;
    // Closing removes the file; put an ordinary file in its place as a leftover would be.
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await writeFile(stale, '');
    const o = await probe.run(makeCheck('unix', { target: stale }), { signal: signal() });
    assert.equal(o.reason, 'refused', o.message);
  });

  test('an expect the peer never meets is reason assertion, naming unix.steps', async () => {
    const path = await listen('quit.sock', lineServer);
    const steps = [{ expect: '^220', send: 'QUIT\r\n' }, { expect: '^250' }];
    const o = await probe.run(makeCheck('unix', { target: path, unix: { steps } }), { signal: signal() });
    assert.equal(o.reason, 'assertion');
    assert.match(o.message ?? '', /^unix\.steps\[1\]: expected a line matching \/\^250\//);
    assert.equal(o.unix?.stepsCompleted, 1);
  });

  test('a line over unix.maxLineLength is reason protocol', async () => {
    const path = await listen('chatty.sock', (socket) => socket.write('x'.repeat(5000)));
    const check = makeCheck('unix', { target: path, unix: { maxLineLength: 1024, steps: [{ expect: '^220' }] } });
    const o = await probe.run(check, { signal: signal() });
    assert.equal(o.reason, 'protocol');
    assert.match(o.message ?? '', /unix\.maxLineLength/);
  });

  test('a peer that never answers is a timeout during the conversation', async () => {
    const path = await listen('silent.sock', () => {});
    const check = makeCheck('unix', { target: path, unix: { steps: [{ expect: '^220' }] } });
    const o = await probe.run(check, { signal: signal(300) });
    assert.equal(o.reason, 'timeout');
    assert.match(o.message ?? '', /during the conversation/);
  });

  test('STARTTLS over the socket, verified against tls.serverName, with certMinLifetime judged', async (t) => {
    if (!available || certs === undefined) return t.skip('openssl not found');
    const path = join(dir, 'smtp.sock');
    const started = await startStartTlsServer(
      { dialect: 'smtp', cert: certs.localhost.cert, key: certs.localhost.key },
      path,
    );
    closers.push(started.close);
    const input = {
      target: path,
      unix: { steps: SMTP_STEPS },
      tls: { ca: certs.ca.certPath, serverName: 'localhost' },
    };
    const o = await probe.run(makeCheck('unix', input), { signal: signal() });
    assert.equal(o.ok, true, o.message);
    assert.equal(o.unix?.ssl, true);
    assert.equal(o.tls?.earliestCertExpiry, certs.localhost.notAfter);
    assert.equal(typeof o.phases.tls, 'number');
    const wrongName = await probe.run(
      makeCheck('unix', { ...input, tls: { ca: certs.ca.certPath, serverName: 'canary.test' } }),
      {
        signal: signal(),
      },
    );
    assert.equal(wrongName.reason, 'tls');
    assert.equal(wrongName.tls?.hostnameMatch, false);
    const result = await executeCheck(
      makeCheck('unix', { ...input, expect: { certMinLifetime: '60d' } }),
      probe,
      { signal: signal() },
      { region: 'test' },
    );
    assert.equal(result.reason, 'assertion');
    assert.equal(result.outcomes[0]?.name, 'certMinLifetime');
  });
});
