import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestAttributes, responseAttributes } from '../../src/exporters/otel/attributes.js';
import { flowStepEvents } from '../../src/exporters/otel/kind-attributes.js';
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
