import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestAttributes, responseAttributes } from '../../src/exporters/otel/attributes.js';
import { browserEvents } from '../../src/exporters/otel/browser-attributes.js';
import { flowStepEvents, websocketPhaseEvents } from '../../src/exporters/otel/kind-attributes.js';
import type { CheckResult, Observation } from '../../src/results/types.js';
import { makeCheck } from '../helpers/kind-checks.js';
import { makeResult } from '../helpers/results.js';

function result(kind: string, observation: Partial<Observation>, ok = true): CheckResult {
  return makeResult({ check: 'c', kind, target: 't', region: 'r', ok, durationSeconds: 0.01 }, observation);
}

test('grpc: the health call as the RPC conventions name it, status code and serving status', () => {
  const check = makeCheck('grpc', { target: '[::1]:50051', grpc: { service: 'orders' } });
  assert.deepEqual(requestAttributes(check), {
    'server.address': '::1',
    'server.port': 50051,
    'network.transport': 'tcp',
    'rpc.system': 'grpc',
    'rpc.service': 'grpc.health.v1.Health',
    'rpc.method': 'Check',
    'canary.grpc.service': 'orders',
    'canary.check': 'test-check',
  });
  const attributes = responseAttributes(
    result('grpc', { grpc: { statusCode: 0, servingStatus: 'NOT_SERVING', ssl: false } }, false),
  );
  assert.equal(attributes['rpc.grpc.status_code'], 0);
  assert.equal(attributes['canary.grpc.serving_status'], 'NOT_SERVING');
});

test('tls: server and the handshake facts, with the certificate verdicts', () => {
  const check = makeCheck('tls', { target: 'example.test:8443' });
  assert.equal(requestAttributes(check)['server.address'], 'example.test');
  assert.equal(requestAttributes(check)['server.port'], 8443);
  const tls = {
    version: 'TLSv1.3',
    cipher: 'TLS_AES_128_GCM_SHA256',
    earliestCertExpiry: 0,
    chainLength: 2,
    verified: false,
    verifyError: 'CERT_HAS_EXPIRED',
    hostnameMatch: true,
  };
  const attributes = responseAttributes(result('tls', { tls }, false));
  assert.equal(attributes['tls.protocol.version'], '1.3');
  assert.equal(attributes['tls.established'], true);
  assert.equal(attributes['canary.tls.verified'], false);
  assert.equal(attributes['canary.tls.verify_error'], 'CERT_HAS_EXPIRED');
  assert.equal(attributes['canary.tls.hostname_match'], true);
  assert.equal(attributes['canary.tls.chain_length'], 2);
});

test('http spans keep exactly their attributes: no kind attributes added', () => {
  const tls = { version: 'TLSv1.3', cipher: 'x', earliestCertExpiry: 0, verified: true };
  const attributes = responseAttributes(result('http', { tls }));
  assert.equal(attributes['tls.established'], undefined);
  assert.equal(attributes['canary.tls.verified'], undefined);
});

test('flow step events lie back to back from the span start', () => {
  const steps = [
    { name: 'a', ok: true, status: 200, durationSeconds: 0.5, phases: {} },
    { name: 'b', ok: false, durationSeconds: 0.25, phases: {}, reason: 'timeout' as const },
  ];
  const events = flowStepEvents(result('flow', { flow: { steps, failedStep: 'b' } }, false), 1000);
  assert.deepEqual(
    events.map((e) => [e.name, e.time]),
    [
      ['a', 1500],
      ['b', 1750],
    ],
  );
  assert.equal(events[1]?.attributes['http.response.status_code'], undefined);
  assert.equal(events[1]?.attributes['canary.reason'], 'timeout');
});

test('unix: the socket path as server.address, transport unix, the conversation and STARTTLS facts', () => {
  const check = makeCheck('unix', { target: '/run/app/app.sock' });
  assert.deepEqual(requestAttributes(check), {
    'server.address': '/run/app/app.sock',
    'network.transport': 'unix',
    'canary.check': 'test-check',
  });
  const tls = { version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', earliestCertExpiry: 0, verified: true };
  const attributes = responseAttributes(result('unix', { unix: { stepsCompleted: 3, ssl: true }, tls }));
  assert.equal(attributes['canary.unix.steps_completed'], 3);
  assert.equal(attributes['canary.unix.ssl'], true);
  assert.equal(attributes['canary.tls.verified'], true);
  assert.equal(attributes['canary.tcp.steps_completed'], undefined);
});

test('websocket: the URL and server as the conventions name them, the upgrade status and close code', () => {
  const check = makeCheck('websocket', {
    target: 'wss://[::1]/feed?token=s3cret',
    websocket: { steps: [{ send: 'hi' }, { expect: 'ok' }] },
  });
  const request = requestAttributes(check);
  assert.equal(request['url.scheme'], 'wss');
  assert.equal(request['server.address'], '::1');
  assert.equal(request['server.port'], 443, "wss's default port");
  assert.equal(request['network.protocol.name'], 'websocket');
  assert.equal(request['canary.websocket.steps'], 2);
  assert.doesNotMatch(String(request['url.full']), /s3cret/);
  const attributes = responseAttributes(
    result(
      'websocket',
      { websocket: { status: 101, subprotocol: 'chat', stepsCompleted: 2, closeCode: 4001, ssl: true } },
      false,
    ),
  );
  assert.equal(attributes['http.response.status_code'], 101);
  assert.equal(attributes['canary.websocket.subprotocol'], 'chat');
  assert.equal(attributes['canary.websocket.steps_completed'], 2);
  assert.equal(attributes['canary.websocket.close_code'], 4001);
  const refused = responseAttributes(result('websocket', { websocket: { status: 0, stepsCompleted: 0, ssl: false } }));
  assert.equal(refused['http.response.status_code'], undefined, 'no answer, no status');
});

test('websocket: upgrade and first_message events follow the socket phases', () => {
  const events = websocketPhaseEvents(
    result('websocket', {
      phases: { resolve: 0.1, connect: 0.2 },
      websocket: { status: 101, stepsCompleted: 1, ssl: false, upgradeSeconds: 0.25, firstMessageSeconds: 0.5 },
    }),
    1000,
  );
  assert.deepEqual(
    events.map((e) => [e.name, e.time]),
    [
      ['upgrade', 1550],
      ['first_message', 2050],
    ],
  );
  const refused = result('websocket', { websocket: { status: 0, stepsCompleted: 0, ssl: false } }, false);
  assert.deepEqual(websocketPhaseEvents(refused, 1000), [], 'no upgrade, no events');
});

test('icmp: the target as server, the address pinged as peer, its family and the reply', () => {
  const check = makeCheck('icmp', { target: 'gw.example.test' });
  assert.deepEqual(requestAttributes(check), {
    'server.address': 'gw.example.test',
    'network.protocol.name': 'icmp',
    'canary.check': 'test-check',
  });
  const icmp = { address: '2001:db8::1', ipProtocol: 6, socket: 'raw' as const, setupSeconds: 0, rttSeconds: 0.002 };
  const attributes = responseAttributes(result('icmp', { icmp: { ...icmp, hopLimit: 57 } }));
  assert.equal(attributes['network.peer.address'], '2001:db8::1');
  assert.equal(attributes['network.type'], 'ipv6');
  assert.equal(attributes['canary.icmp.socket'], 'raw');
  assert.equal(attributes['canary.icmp.reply_hop_limit'], 57);
  assert.equal(attributes['canary.icmp.rtt_seconds'], 0.002);
  const unanswered = responseAttributes(result('icmp', { icmp }, false));
  assert.equal(unanswered['canary.icmp.reply_hop_limit'], undefined);
});

test('browser: the target as url.full and server.*, the journey on the span, a step event each and the vitals', () => {
  const check = makeCheck('browser', {
    target: 'https://shop.example.com/cart',
    browser: { steps: [{ click: '#buy' }, { expectText: 'Thanks' }] },
  });
  assert.deepEqual(requestAttributes(check), {
    'url.full': 'https://shop.example.com/cart',
    'server.address': 'shop.example.com',
    'server.port': 443,
    'canary.browser.steps': 3,
    'canary.check': 'test-check',
  });
  const steps = [
    { name: 'load', ok: true, durationSeconds: 0.5 },
    { name: '1:click', ok: true, durationSeconds: 0.125 },
    { name: '2:expectText', ok: false, durationSeconds: 1, reason: 'assertion' as const, message: 'not there' },
  ];
  const browser = { steps, failedStep: '2:expectText', vitals: { lcpSeconds: 0.25, cls: 0.5, ttfbSeconds: 0.0625 } };
  const failed = result('browser', { browser: { ...browser, screenshot: '/var/shots/x.png' } }, false);
  const attributes = responseAttributes(failed);
  assert.equal(attributes['canary.browser.failed_step'], '2:expectText');
  assert.equal(attributes['canary.browser.screenshot'], '/var/shots/x.png');
  assert.equal(attributes['canary.browser.lcp_s'], 0.25);
  const events = browserEvents(failed, 1000);
  assert.deepEqual(
    events.map((e) => [e.name, e.time]),
    [
      ['load', 1500],
      ['1:click', 1625],
      ['2:expectText', 2625],
      ['web_vitals', 2625],
    ],
  );
  assert.equal(events[2]?.attributes['canary.reason'], 'assertion');
  assert.deepEqual(events[3]?.attributes, {
    'canary.browser.lcp_s': 0.25,
    'canary.browser.cls': 0.5,
    'canary.browser.ttfb_s': 0.0625,
  });
});
