import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCanaryError } from '../../src/errors.js';
import { createProbeRegistry } from '../../src/probes/registry.js';
import { makeHttpCheck } from '../helpers/checks.js';
import { startHttpServer } from '../helpers/servers.js';

test('the registry hands out the http probe, refuses unknown kinds, and closes its probes', async () => {
  const registry = createProbeRegistry();
  const server = await startHttpServer((_req, res) => void res.end('ok'));
  try {
    assert.deepEqual(registry.kinds(), [
      'http',
      'tcp',
      'tls',
      'dns',
      'grpc',
      'flow',
      'unix',
      'websocket',
      'icmp',
      'browser',
    ]);
    const probe = registry.get('http');
    assert.equal(probe.kind, 'http');
    assert.throws(
      () => registry.get('smtp'),
      (err) => isCanaryError(err, 'CANARY_ERR_INTERNAL') && /smtp/.test(err.message),
    );

    const check = makeHttpCheck({ target: `${server.origin}/`, http: { keepAlive: true } });
    const o = await probe.run(check, { signal: AbortSignal.timeout(5000) });
    assert.equal(o.ok, true, o.message);
    assert.equal(server.accepted, 1);
    await registry.close();
    await server.waitClosed(1, 3000);
  } finally {
    await server.close();
  }
});
