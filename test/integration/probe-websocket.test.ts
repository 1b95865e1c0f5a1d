import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createWebsocketProbe } from '../../src/probes/websocket.js';
import { executeCheck } from '../../src/run/execute.js';
import { sampleValue, startTestAgent } from '../helpers/agent.js';
import { haveOpenssl, makeTestCerts, type TestCerts } from '../helpers/certs.js';
import { makeCheck, metricLines } from '../helpers/kind-checks.js';
import { closedPort, startTcpServer } from '../helpers/servers.js';
import { startWebsocketServer, type UpgradeControl, type WebsocketTestServer } from '../helpers/websocket.js';

const signal = (ms = 5000): AbortSignal => AbortSignal.timeout(ms);

/**
 * What the test server does, by path: /echo answers `pong X` to `ping X`, /greet sends a
 * JSON greeting in two fragments, /refuse answers 403, /silent never answers, /bad-accept
 * answers 101 with a wrong hash, /close-4001 closes with 4001 on the first message,
 * /drop hangs up without a close frame, /rogue-protocol picks a subprotocol not offered.
 */
function behave(request: IncomingMessage, upgrade: UpgradeControl): void {
  const path = request.url ?? '/';
  const offered = request.headers['sec-websocket-protocol']?.split(',')[0]?.trim();
  if (path === '/refuse') return upgrade.refuse(403, 'Forbidden');
  if (path === '/silent') return upgrade.ignore();
  if (path === '/bad-accept') return upgrade.acceptWrongly();
  if (path === '/rogue-protocol') return void upgrade.accept('rogue');
  const ws = upgrade.accept(offered);
  if (path === '/greet') ws.send(JSON.stringify({ hello: 'world', n: 1 }), true);
  if (path === '/drop') ws.onMessage(() => ws.socket.destroy());
  if (path === '/close-4001') ws.onMessage(() => ws.close(4001));
  if (path === '/huge') ws.send('x'.repeat(1024 * 1024 + 1));
  if (path === '/echo') ws.onMessage((text) => ws.send(text.replace(/^ping/, 'pong')));
}

describe('websocket probe', async () => {
  const openssl = await haveOpenssl();
  const probe = createWebsocketProbe();
  let server: WebsocketTestServer;
  let secure: WebsocketTestServer | undefined;
  let certs: TestCerts | undefined;

  before(async () => {
    server = await startWebsocketServer(behave);
    certs = openssl ? await makeTestCerts() : undefined;
    if (certs) secure = await startWebsocketServer(behave, certs.localhost);
  });
  after(async () => {
    await server?.close();
    await secure?.close();
    await certs?.cleanup();
  });

  const run = (input: Record<string, unknown>, ms?: number) =>
    probe.run(makeCheck('websocket', input), { signal: signal(ms) });

  test('the upgrade alone is enough without steps: ok, with phases and status 101', async () => {
    const o = await run({ target: `${server.origin}/echo` });
    assert.equal(o.ok, true, o.message);
    assert.equal(o.phases.resolve, 0, 'an IP literal is not resolved');
    assert.equal(typeof o.phases.connect, 'number');
    assert.equal(o.phases.tls, undefined);
    assert.equal(o.websocket?.status, 101);
    assert.equal(o.websocket?.ssl, false);
    assert.equal(typeof o.websocket?.upgradeSeconds, 'number');
    assert.equal(o.websocket?.firstMessageSeconds, undefined, 'no message was asked for');
  });

  test('headers and subprotocols go out with the upgrade; the chosen subprotocol is a fact', async () => {
    const o = await run({
      target: `${server.origin}/echo?room=1`,
      websocket: { headers: { 'X-Canary': 'yes', Host: 'chat.example' }, subprotocols: ['chat.v2', 'chat.v1'] },
    });
    assert.equal(o.ok, true, o.message);
    assert.equal(o.websocket?.subprotocol, 'chat.v2');
    const seen = server.requests.at(-1);
    assert.equal(seen?.url, '/echo?room=1');
    assert.equal(seen?.headers['x-canary'], 'yes');
    assert.equal(seen?.headers.host, 'chat.example');
    assert.equal(seen?.headers['sec-websocket-protocol'], 'chat.v2, chat.v1');
  });

  test('a send/expect conversation runs in order; expectJson reads a fragmented JSON message', async () => {
    const echo = await run({
      target: `${server.origin}/echo`,
      websocket: {
        steps: [
          { send: 'ping 1', expect: '^pong 1$' },
          { send: 'ping 2', expect: '^pong 2$' },
        ],
      },
    });
    assert.equal(echo.ok, true, echo.message);
    assert.equal(echo.websocket?.stepsCompleted, 2);
    assert.equal(echo.websocket?.lastMessage, 'pong 2');
    assert.equal(typeof echo.websocket?.firstMessageSeconds, 'number');
    const greet = await run({
      target: `${server.origin}/greet`,
      websocket: { steps: [{ expectJson: { path: '$.n', equals: 1 } }] },
    });
    assert.equal(greet.ok, true, greet.message);
    assert.equal(greet.websocket?.stepsCompleted, 1);
  });

  test('a wrong message fails with reason assertion, naming the step and what came', async () => {
    const o = await run({
      target: `${server.origin}/echo`,
      websocket: {
        steps: [
          { send: 'ping 1', expect: '^pong 1$' },
          { send: 'hello', expect: '^pong' },
        ],
      },
    });
    assert.equal(o.ok, false);
    assert.equal(o.reason, 'assertion');
    assert.match(o.message ?? '', /websocket\.steps\[1\]: expected a message matching \/\^pong\/, got "hello"/);
    assert.equal(o.websocket?.stepsCompleted, 1);
  });

  test('expectJson that does not hold fails with reason assertion, saying what was seen', async () => {
    const o = await run({
      target: `${server.origin}/greet`,
      websocket: { steps: [{ expectJson: { path: '$.hello', matches: '^moon$' } }] },
    });
    assert.equal(o.reason, 'assertion');
    assert.match(o.message ?? '', /expected json \$\.hello matching \/\^moon\$\/, got "world"/);
  });

  test('the server closing before the expected message is an assertion failure with its close code', async () => {
    const o = await run({ target: `${server.origin}/close-4001`, websocket: { steps: [{ send: 'x', expect: '.' }] } });
    assert.equal(o.reason, 'assertion');
    assert.match(o.message ?? '', /closed \(code 4001\)/);
    assert.equal(o.websocket?.closeCode, 4001);
  });

  test('closeCode: the server closing with it passes, with another code fails as an expectation', async () => {
    const target = `${server.origin}/close-4001`;
    const check = (closeCode: number) =>
      makeCheck('websocket', { target, websocket: { steps: [{ send: 'bye' }], closeCode } });
    const good = await executeCheck(check(4001), probe, { signal: signal() }, { region: 'test' });
    assert.equal(good.ok, true, good.message);
    assert.deepEqual(good.outcomes[0], { name: 'closeCode', ok: true, expected: '4001', actual: '4001' });
    const bad = await executeCheck(check(1000), probe, { signal: signal() }, { region: 'test' });
    assert.equal(bad.ok, false);
    assert.equal(bad.reason, 'assertion');
    assert.deepEqual(bad.outcomes[0], { name: 'closeCode', ok: false, expected: '1000', actual: '4001' });
    const dropped = makeCheck('websocket', {
      target: `${server.origin}/drop`,
      websocket: { steps: [{ send: 'bye' }], closeCode: 1000 },
    });
    const drop = await executeCheck(dropped, probe, { signal: signal() }, { region: 'test' });
    assert.equal(drop.outcomes[0]?.actual, '1006 (closed without a close frame)');
  });

  test('a refused upgrade fails with reason http_status and keeps the status', async () => {
    const o = await run({ target: `${server.origin}/refuse` });
    assert.equal(o.ok, false);
    assert.equal(o.reason, 'http_status');
    assert.match(o.message ?? '', /the upgrade was refused: 403 Forbidden \(expected 101\)/);
    assert.equal(o.websocket?.status, 403);
  });

  test('a server that never answers the upgrade times out, saying it was waiting for the upgrade', async () => {
    const o = await run({ target: `${server.origin}/silent` }, 300);
    assert.equal(o.ok, false);
    assert.equal(o.reason, 'timeout');
    assert.match(o.message ?? '', /during the WebSocket upgrade/);
  });

  test('a wrong Sec-WebSocket-Accept or a subprotocol not offered is a protocol failure', async () => {
    const accept = await run({ target: `${server.origin}/bad-accept` });
    assert.equal(accept.reason, 'protocol');
    assert.match(accept.message ?? '', /Sec-WebSocket-Accept/);
    const rogue = await run({ target: `${server.origin}/rogue-protocol`, websocket: { subprotocols: ['chat'] } });
    assert.equal(rogue.reason, 'protocol');
    assert.match(rogue.message ?? '', /"rogue", which was not offered/);
  });

  test('a message over 1 MiB fails with reason body_too_large', async () => {
    const o = await run({ target: `${server.origin}/huge`, websocket: { steps: [{ expect: 'x' }] } });
    assert.equal(o.reason, 'body_too_large');
  });

  test('a peer that does not speak HTTP is protocol, one that hangs up at once is reset', async () => {
    const garbage = await startTcpServer((socket) => void socket.on('error', () => {}).end('SSH-2.0-OpenSSH\r\n\r\n'));
    const hangUp = await startTcpServer((socket) => void socket.on('error', () => {}).end());
    try {
      const spoken = await run({ target: `ws://127.0.0.1:${garbage.port}/` });
      assert.equal(spoken.reason, 'protocol');
      assert.match(spoken.message ?? '', /not an HTTP answer: "SSH-2.0-OpenSSH"/);
      const silent = await run({ target: `ws://127.0.0.1:${hangUp.port}/` });
      assert.equal(silent.reason, 'reset');
    } finally {
      await garbage.close();
      await hangUp.close();
    }
  });

  test('a closed port fails with reason refused', async () => {
    const o = await run({ target: `ws://127.0.0.1:${await closedPort()}/` });
    assert.equal(o.reason, 'refused');
  });

  test('wss: the CA from tls.ca is trusted, the certificate facts are reported', async (t) => {
    if (!certs || !secure) return t.skip('openssl not found');
    const o = await run({
      target: `${secure.origin}/echo`,
      tls: { ca: certs.ca.certPath },
      websocket: { steps: [{ send: 'ping s', expect: '^pong s$' }] },
    });
    assert.equal(o.ok, true, o.message);
    assert.equal(o.websocket?.ssl, true);
    assert.equal(typeof o.phases.tls, 'number');
    assert.equal(o.tls?.earliestCertExpiry, certs.localhost.notAfter);
    assert.equal(o.tls?.verified, true);
  });

  test('wss: an untrusted certificate fails with reason tls unless insecure, facts kept', async (t) => {
    if (!certs || !secure) return t.skip('openssl not found');
    const untrusted = await run({ target: `${secure.origin}/echo` });
    assert.equal(untrusted.reason, 'tls');
    assert.equal(untrusted.tls?.verified, false);
    assert.equal(untrusted.websocket?.status, 0, 'no upgrade was sent');
    const insecure = await run({ target: `${secure.origin}/echo`, tls: { insecure: true } });
    assert.equal(insecure.ok, true, insecure.message);
  });

  test('/metrics: the websocket families, phases and the certificate expiry', async (t) => {
    if (!certs || !secure) return t.skip('openssl not found');
    const input = {
      target: `${secure.origin}/greet`,
      tls: { ca: certs.ca.certPath },
      websocket: { steps: [{ expect: 'hello' }] },
    };
    const result = await executeCheck(makeCheck('websocket', input), probe, { signal: signal() }, { region: 'test' });
    const lines = await metricLines(result, 'probe_');
    const value = (prefix: string) =>
      Number(
        lines
          .find((l) => l.startsWith(prefix))
          ?.split(' ')
          .at(-1),
      );
    assert.equal(value('probe_websocket_status_code{'), 101);
    assert.equal(value('probe_websocket_ssl{'), 1);
    assert.ok(value('probe_websocket_duration_seconds{phase="first_message"') > 0);
    assert.ok(lines.some((l) => l.startsWith('probe_websocket_duration_seconds{phase="upgrade"')));
    assert.equal(value('probe_ssl_earliest_cert_expiry{'), certs.localhost.notAfter);
  });
});

describe('GET /probe with a websocket module', () => {
  let server: WebsocketTestServer;

  before(async () => {
    server = await startWebsocketServer(behave);
  });
  after(async () => {
    await server?.close();
  });

  test('answers probe_websocket_* families; a refused upgrade and a bad target are failed probes', async () => {
    const agent = await startTestAgent(
      [
        'server: { listen: "127.0.0.1:0" }',
        'exporters: { log: { level: silent } }',
        'modules:',
        '  ws_echo: { prober: websocket, timeout: 5s, websocket: { steps: [ { send: "ping m", expect: "^pong m$" } ] } }',
      ].join('\n'),
    );
    try {
      const ok = await agent.get(`/probe?module=ws_echo&target=${encodeURIComponent(`${server.origin}/echo`)}`);
      assert.equal(ok.status, 200);
      assert.equal(sampleValue(ok.body, 'probe_success'), 1, ok.body);
      assert.equal(sampleValue(ok.body, 'probe_websocket_status_code'), 101);
      assert.equal(sampleValue(ok.body, 'probe_websocket_ssl'), 0);
      assert.equal(sampleValue(ok.body, 'probe_ip_protocol'), 4);
      for (const phase of ['resolve', 'connect', 'tls', 'upgrade', 'first_message'])
        assert.notEqual(sampleValue(ok.body, 'probe_websocket_duration_seconds', { phase }), undefined, phase);
      const refused = await agent.get(`/probe?module=ws_echo&target=${encodeURIComponent(`${server.origin}/refuse`)}`);
      assert.equal(sampleValue(refused.body, 'probe_success'), 0);
      assert.equal(sampleValue(refused.body, 'probe_websocket_status_code'), 403);
      const bad = await agent.get(`/probe?module=ws_echo&target=127.0.0.1:${server.port}`);
      assert.equal(bad.status, 200);
      assert.equal(sampleValue(bad.body, 'probe_success'), 0);
    } finally {
      await agent.stop();
    }
  });
});
