/**
 * The blackbox_exporter query_response features of tcp conversations, against servers on
 * 127.0.0.1: captures in `send` (IRC's PING/PONG), `labels` exported by /probe as
 * probe_expect_info (an SSH banner), binary sends and expectBytes before STARTTLS (a
 * PostgreSQL SSLRequest), and `sourceIp`.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createSecureContext, TLSSocket } from 'node:tls';
import { createTcpProbe } from '../../src/probes/tcp.js';
import { executeCheck } from '../../src/run/execute.js';
import { sampleValue, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { haveOpenssl, makeTestCerts, type TestCerts } from '../helpers/certs.js';
import { makeCheck, metricLines } from '../helpers/kind-checks.js';

const signal = (): AbortSignal => AbortSignal.timeout(5000);

/** PostgreSQL's SSLRequest: length 8, code 80877103. */
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 4, 0xd2, 0x16, 0x2f]);

async function listen(handler: (socket: Socket) => void, host = '127.0.0.1'): Promise<Server> {
  const server = createServer((socket) => handler(socket.on('error', () => {})));
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return server;
}

const portOf = (server: Server): number => (server.address() as AddressInfo).port;

/** Calls `onLine` for each line the socket receives. */
function lines(socket: Socket, onLine: (line: string) => void): void {
  let buffer = '';
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    for (let at = buffer.indexOf('\n'); at >= 0; at = buffer.indexOf('\n')) {
      onLine(buffer.slice(0, at).replace(/\r$/, ''));
      buffer = buffer.slice(at + 1);
    }
  });
}

/** An IRC-like server: a notice, then PING with a fresh token; the right PONG is welcomed. */
function irc(socket: Socket): void {
  const token = randomBytes(6).toString('hex');
  socket.write(`:irc.canary.test NOTICE * :hello\r\nPING :${token}\r\n`);
  lines(socket, (line) =>
    socket.end(line === `PONG ${token}` ? ':irc.canary.test 001 canary :welcome\r\n' : `ERROR :got ${line}\r\n`),
  );
}

/** A PostgreSQL-like server: to the SSLRequest it answers `answer`, then (on S) speaks TLS: ping → pong. */
function postgres(cert: { cert: string; key: string }, answer: 'S' | 'N') {
  return (socket: Socket): void => {
    socket.once('readable', function read() {
      const request = socket.read(SSL_REQUEST.length) as Buffer | null;
      if (request === null) return void socket.once('readable', read);
      if (!request.equals(SSL_REQUEST)) return void socket.end('E');
      if (answer === 'N') return void socket.end('N');
      socket.write('S');
      const tls = new TLSSocket(socket, { isServer: true, secureContext: createSecureContext(cert) });
      tls.on('error', () => {});
      lines(tls, (line) => tls.end(line === 'ping' ? 'pong\n' : 'what?\n'));
    });
  };
}

describe('tcp conversations as blackbox query_response', async () => {
  const openssl = await haveOpenssl();
  const probe = createTcpProbe();
  let certs: TestCerts | undefined;
  const servers: Server[] = [];
  let agent: TestAgent;
  let ircPort: number;
  let sshPort: number;
  let pgPort: number;
  let pgRefusingPort: number;

  before(async () => {
    certs = openssl ? await makeTestCerts() : undefined;
    const ssh = await listen((socket) => socket.end('SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n'));
    const ircServer = await listen(irc);
    servers.push(ssh, ircServer);
    [sshPort, ircPort] = [portOf(ssh), portOf(ircServer)];
    const modules = [
      'modules:',
      '  ssh_banner:',
      '    prober: tcp',
      '    timeout: 5s',
      '    tcp:',
      '      steps:',
      '        - expect: "^SSH-2.0-(?<software>[^ ]+) ?(.*)$"',
      '          labels: [ { name: software, value: "$${software}" }, { name: comment, value: "${2}" } ]',
      '  ssh_short:',
      '    prober: tcp',
      '    timeout: 5s',
      '    tcp: { steps: [ { expect: "^SSH-2.0-([^ ]+)( none)?", labels: [ { name: extra, value: "[${2}]" } ] } ] }',
    ];
    if (certs) {
      const cert = { cert: certs.localhost.cert, key: certs.localhost.key };
      const [pg, refusing] = [await listen(postgres(cert, 'S')), await listen(postgres(cert, 'N'))];
      servers.push(pg, refusing);
      [pgPort, pgRefusingPort] = [portOf(pg), portOf(refusing)];
      modules.push(
        '  pg_starttls:',
        '    prober: tcp',
        '    timeout: 5s',
        `    tls: { ca: ${JSON.stringify(certs.ca.certPath)}, serverName: localhost }`,
        '    tcp:',
        '      steps:',
        '        - send: !!binary AAAACATSFi8=',
        '        - { expectBytes: S, starttls: true }',
        '        - send: "ping\\n"',
        '        - expect: "^pong$"',
      );
    }
    agent = await startTestAgent(
      ['server: { listen: "127.0.0.1:0" }', 'exporters: { log: { level: silent } }', ...modules].join('\n'),
    );
  });
  after(async () => {
    await agent?.stop();
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    await certs?.cleanup();
  });

  test('IRC: the PING token captured by expect is sent back in the same step', async () => {
    const target = `127.0.0.1:${ircPort}`;
    for (const [expect, send] of [
      ['^PING :([^ ]+)', 'PONG ${1}\r\n'],
      // A named group; a group that did not take part and a bare `$x` naming no group are empty, as in Go.
      ['^PING :(?<token>[^ ]+)( unused)?', 'PONG ${token}${2}$x\r\n'],
    ]) {
      const steps = [{ expect, send }, { expect: '^:irc\\.canary\\.test 001 ' }];
      const o = await probe.run(makeCheck('tcp', { target, tcp: { steps } }), { signal: signal() });
      assert.equal(o.ok, true, `${send}: ${o.message}`);
      assert.equal(o.tcp?.lastLine, ':irc.canary.test 001 canary :welcome');
    }
    const wrong = [{ expect: '^PING :([^ ]+)', send: 'PONG ${3}x\r\n' }, { expect: '^:irc\\.canary\\.test 001 ' }];
    const o = await probe.run(makeCheck('tcp', { target, tcp: { steps: wrong } }), { signal: signal() });
    assert.equal(o.reason, 'assertion');
    assert.equal(o.tcp?.lastLine, 'ERROR :got PONG x', 'a group that does not exist is empty');
  });

  test('SSH banner: /probe exports probe_expect_info with the labels filled from the match', async () => {
    const res = await agent.get(`/probe?module=ssh_banner&target=127.0.0.1:${sshPort}`);
    assert.equal(res.status, 200, res.body);
    assert.equal(sampleValue(res.body, 'probe_success'), 1);
    assert.match(res.body, /^probe_expect_info\{software="OpenSSH_9\.6p1",comment="Ubuntu-3ubuntu13"\} 1$/m);
    const short = await agent.get(`/probe?module=ssh_short&target=127.0.0.1:${sshPort}`);
    assert.match(short.body, /^probe_expect_info\{extra="\[\]"\} 1$/m, 'a group that did not match is empty');
  });

  test('a scheduled check keeps the labels off its per-check metrics', async () => {
    const steps = [{ expect: '^SSH-2.0-([^ ]+)', labels: [{ name: 'software', value: '${1}' }] }];
    const check = makeCheck('tcp', { target: `127.0.0.1:${sshPort}`, tcp: { steps } });
    const result = await executeCheck(check, probe, { signal: signal() }, { region: 'test' });
    assert.equal(result.observation.ok, true, result.observation.message);
    assert.deepEqual(result.observation.tcp?.expectInfo, [{ software: 'OpenSSH_9.6p1' }]);
    assert.deepEqual(await metricLines(result, 'probe_expect_info'), []);
  });

  test('PostgreSQL: a binary SSLRequest, the S byte, then STARTTLS and a line over TLS', async (t) => {
    if (!certs) return t.skip('openssl not found');
    const steps = [
      { sendBytes: 'AAAACATSFi8=' },
      { expectBytes: 'S', starttls: true },
      { send: 'ping\n' },
      { expect: '^pong$' },
    ];
    const tls = { ca: certs.ca.certPath, serverName: 'localhost' };
    const ok = await probe.run(makeCheck('tcp', { target: `127.0.0.1:${pgPort}`, tcp: { steps }, tls }), {
      signal: signal(),
    });
    assert.equal(ok.ok, true, ok.message);
    assert.deepEqual(ok.tcp, { stepsCompleted: 4, ssl: true, lastLine: 'pong' });
    assert.equal(ok.tls?.verified, true);
    const refused = await probe.run(makeCheck('tcp', { target: `127.0.0.1:${pgRefusingPort}`, tcp: { steps }, tls }), {
      signal: signal(),
    });
    assert.equal(refused.reason, 'assertion');
    assert.match(refused.message ?? '', /tcp\.steps\[1\]: expected the bytes "S", got "N"/);
    assert.equal(refused.tcp?.expectFailure, 'bytes');
  });

  test('PostgreSQL via /probe: a YAML !!binary send; a refusal sets probe_failed_due_to_bytes', async (t) => {
    if (!certs) return t.skip('openssl not found');
    const ok = await agent.get(`/probe?module=pg_starttls&target=127.0.0.1:${pgPort}`);
    assert.equal(sampleValue(ok.body, 'probe_success'), 1, ok.body);
    assert.equal(sampleValue(ok.body, 'probe_failed_due_to_bytes'), 0);
    assert.equal(sampleValue(ok.body, 'probe_ssl_earliest_cert_expiry'), certs.localhost.notAfter);
    const refused = await agent.get(`/probe?module=pg_starttls&target=127.0.0.1:${pgRefusingPort}&debug=true`);
    assert.equal(sampleValue(refused.body, 'probe_success'), 0, refused.body);
    assert.equal(sampleValue(refused.body, 'probe_failed_due_to_bytes'), 1);
    assert.equal(sampleValue(refused.body, 'probe_failed_due_to_regex'), 0);
    assert.doesNotMatch(refused.body, /AAAACATSFi8=/, 'the bytes sent stay redacted in debug output');
    assert.match(refused.body, /sendBytes: <secret>/);
  });

  test('sourceIp: the server sees the connection come from the address given', async (t) => {
    let seen: string | undefined;
    const server = await listen((socket) => {
      seen = socket.remoteAddress;
      socket.end('hello\n');
    });
    servers.push(server);
    const target = `127.0.0.1:${portOf(server)}`;
    for (const sourceIp of ['127.0.0.1', '127.0.0.2']) {
      const o = await probe.run(makeCheck('tcp', { target, tcp: { sourceIp, steps: [{ expect: '^hello' }] } }), {
        signal: signal(),
      });
      if (!o.ok && sourceIp === '127.0.0.2') return t.skip(`127.0.0.2 is not a local address here: ${o.message}`);
      assert.equal(o.ok, true, o.message);
      assert.equal(seen, sourceIp);
    }
  });

  test('sourceIp: an address this host does not have fails with reason connect', async () => {
    const check = makeCheck('tcp', { target: '127.0.0.1:9', tcp: { sourceIp: '192.0.2.1' } });
    const o = await probe.run(check, { signal: signal() });
    assert.equal(o.reason, 'connect', o.message);
    assert.match(o.message ?? '', /EADDRNOTAVAIL 192\.0\.2\.1/);
  });
});
