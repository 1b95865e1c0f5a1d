/**
 * The CONNECT request the probe writes to `http.proxy`, and how it reads the answer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectRequest, judgeAnswer } from '../../src/probes/http/tunnel.js';
import type { ProxyRoute, Route } from '../../src/probes/http/route.js';
import { ProbeFailure } from '../../src/probes/http/classify.js';

const route = { authority: '[2001:db8::1]:8443' } as Route;
const proxy = (extra: Partial<ProxyRoute> = {}): ProxyRoute =>
  ({ hostname: 'proxy.test', port: 3128, authorization: undefined, connectHeaders: {}, ...extra }) as ProxyRoute;

test('CONNECT names the target authority, with the proxy credentials and connect headers', () => {
  const head = connectRequest(route, proxy({ authorization: 'Basic dTpw', connectHeaders: { 'X-Tenant': 'sre' } }));
  assert.equal(
    head,
    'CONNECT [2001:db8::1]:8443 HTTP/1.1\r\nHost: [2001:db8::1]:8443\r\nProxy-Authorization: Basic dTpw\r\nX-Tenant: sre\r\n\r\n',
  );
  // A header that would span lines is left out rather than splitting the request.
  const injected = connectRequest(route, proxy({ connectHeaders: { 'X-A': 'one\r\nX-B: two' } }));
  assert.ok(!injected.includes('X-B'), injected);
});

test('a 2xx answer opens the tunnel; a refusal and a non-HTTP answer are failures with reasons', () => {
  assert.equal(judgeAnswer('HTTP/1.1 200 Connection Established\r\n', route, proxy()), undefined);
  assert.equal(judgeAnswer('HTTP/1.0 200\r\n', route, proxy()), undefined);
  const refused = judgeAnswer('HTTP/1.1 403 Forbidden\r\nVia: x\r\n', route, proxy());
  assert.ok(refused instanceof ProbeFailure);
  assert.equal(refused.reason, 'connect');
  assert.equal(refused.message, 'proxy proxy.test:3128 refused CONNECT [2001:db8::1]:8443: 403 Forbidden');
  const garbage = judgeAnswer('SSH-2.0-OpenSSH\r\n', route, proxy());
  assert.ok(garbage instanceof ProbeFailure);
  assert.equal(garbage.reason, 'protocol');
});
