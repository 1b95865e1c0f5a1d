import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ServerCredentials, status as GrpcStatus, type Server } from '@grpc/grpc-js';
import { createGrpcProbe } from '../../src/probes/grpc.js';
import { executeCheck } from '../../src/run/execute.js';
import { haveOpenssl, makeTestCerts, type TestCerts } from '../helpers/certs.js';
import { startGrpcHealth } from '../helpers/grpc-health.js';
import { lookup } from 'node:dns/promises';
import { makeCheck, metricLines } from '../helpers/kind-checks.js';
import { closedPort, startTcpServer, type TestServer } from '../helpers/servers.js';

const signal = (ms = 5000): AbortSignal => AbortSignal.timeout(ms);
const region = { region: 'test' };

/** Serving status by service name, as a server would keep it; a name missing here is NOT_FOUND. */
const STATUSES: Record<string, number> = { '': 1, 'search.v1.Search': 1, 'billing.v1.Billing': 2 };

function startGrpc(credentials: ServerCredentials, withHealth = true): Promise<{ server: Server; port: number }> {
  return startGrpcHealth(withHealth ? STATUSES : undefined, credentials);
}

describe('grpc probe', async () => {
  const available = await haveOpenssl();
  const probe = createGrpcProbe();
  const servers: Server[] = [];
  let plain = 0;
  let bare = 0;
  let secure = 0;
  let certs: TestCerts | undefined;
  let silent: TestServer;

  before(async () => {
    const started = await startGrpc(ServerCredentials.createInsecure());
    const empty = await startGrpc(ServerCredentials.createInsecure(), false);
    servers.push(started.server, empty.server);
    plain = started.port;
    bare = empty.port;
    silent = await startTcpServer(() => {});
    if (!available) return;
    certs = await makeTestCerts();
    const tls = await startGrpc(
      ServerCredentials.createSsl(null, [
        { cert_chain: Buffer.from(certs.localhost.cert), private_key: Buffer.from(certs.localhost.key) },
      ]),
    );
    servers.push(tls.server);
    secure = tls.port;
  });
  after(async () => {
    for (const server of servers) server.forceShutdown();
    await silent?.close();
    await certs?.cleanup();
  });

  test('SERVING: ok, with the blackbox metrics', async () => {
    const result = await executeCheck(
      makeCheck('grpc', { target: `127.0.0.1:${plain}` }),
      probe,
      { signal: signal() },
      region,
    );
    assert.equal(result.ok, true, result.message);
    assert.deepEqual(result.observation.grpc, { statusCode: 0, servingStatus: 'SERVING', ssl: false });
    const labels = 'check="test-check",kind="grpc",region="test"';
    const health = (status: string, value: number): string =>
      `probe_grpc_healthcheck_response{serving_status="${status}",check="test-check",kind="grpc",region="test"} ${value}`;
    assert.deepEqual(await metricLines(result, 'probe_grpc_'), [
      `probe_grpc_status_code{${labels}} 0`,
      `probe_grpc_ssl{${labels}} 0`,
      health('UNKNOWN', 0),
      health('SERVING', 1),
      health('NOT_SERVING', 0),
      health('SERVICE_UNKNOWN', 0),
    ]);
  });

  test('a named service that is SERVING passes; one NOT_SERVING fails with reason assertion unless expected', async () => {
    const serving = await executeCheck(
      makeCheck('grpc', { target: `127.0.0.1:${plain}`, grpc: { service: 'search.v1.Search' } }),
      probe,
      { signal: signal() },
      region,
    );
    assert.equal(serving.ok, true, serving.message);
    const down = makeCheck('grpc', { target: `127.0.0.1:${plain}`, grpc: { service: 'billing.v1.Billing' } });
    const failed = await executeCheck(down, probe, { signal: signal() }, region);
    assert.equal(failed.reason, 'assertion');
    assert.equal(failed.message, 'servingStatus: expected SERVING, got NOT_SERVING');
    const expected = await executeCheck(
      { ...down, expect: { ...down.expect, status: 'NOT_SERVING' } },
      probe,
      { signal: signal() },
      region,
    );
    assert.equal(expected.ok, true, expected.message);
  });

  test('an unknown service (NOT_FOUND) reads as SERVICE_UNKNOWN', async () => {
    const result = await executeCheck(
      makeCheck('grpc', { target: `127.0.0.1:${plain}`, grpc: { service: 'nope.v1.Nope' } }),
      probe,
      { signal: signal() },
      region,
    );
    assert.equal(result.reason, 'assertion');
    assert.equal(result.observation.grpc?.statusCode, GrpcStatus.NOT_FOUND);
    assert.equal(result.message, 'servingStatus: expected SERVING, got SERVICE_UNKNOWN');
  });

  test('a server without the health service answers UNIMPLEMENTED: reason assertion, the code in the message', async () => {
    const result = await executeCheck(
      makeCheck('grpc', { target: `127.0.0.1:${bare}` }),
      probe,
      { signal: signal() },
      region,
    );
    assert.equal(result.reason, 'assertion');
    assert.equal(result.observation.grpc?.statusCode, GrpcStatus.UNIMPLEMENTED);
    assert.match(result.message ?? '', /^servingStatus: expected SERVING, got status UNIMPLEMENTED/);
    assert.ok((await metricLines(result, 'probe_grpc_status_code{')).some((line) => line.endsWith(' 12')));
  });

  test('grpc.ipFamily: the name is resolved to the preferred family; without fallback a name without it is reason dns', async (t) => {
    const v4 = await probe.run(makeCheck('grpc', { target: `localhost:${plain}`, grpc: { ipFamily: 'ipv4' } }), {
      signal: signal(),
    });
    assert.equal(v4.ok, true, v4.message);
    const addresses = await lookup('localhost', { all: true });
    if (addresses.some((a) => a.family === 6)) return t.skip('localhost has an IPv6 address here');
    const strict = makeCheck('grpc', { target: `localhost:${plain}`, grpc: { ipFamily: 'ipv6', ipFallback: false } });
    const v6 = await probe.run(strict, { signal: signal() });
    assert.equal(v6.reason, 'dns', v6.message);
    assert.match(v6.message ?? '', /no IPv6 address/);
    const fallback = makeCheck('grpc', { target: `localhost:${plain}`, grpc: { ipFamily: 'ipv6' } });
    assert.equal((await probe.run(fallback, { signal: signal() })).ok, true, 'falls back to IPv4');
  });

  test('nothing listening is reason refused', async () => {
    const o = await probe.run(makeCheck('grpc', { target: `127.0.0.1:${await closedPort()}` }), { signal: signal() });
    assert.equal(o.reason, 'refused', o.message);
  });

  test('a peer that never speaks HTTP/2 is a timeout', async () => {
    const o = await probe.run(makeCheck('grpc', { target: `127.0.0.1:${silent.port}` }), { signal: signal(500) });
    assert.equal(o.reason, 'timeout', o.message);
  });

  test('over TLS: trusted through tls.ca it passes with ssl; an untrusted certificate is reason tls', async (t) => {
    if (!available || !certs) return t.skip('openssl not found');
    const tls = { ca: certs.ca.certPath, serverName: 'localhost' };
    const ok = await probe.run(makeCheck('grpc', { target: `127.0.0.1:${secure}`, grpc: { tls: true }, tls }), {
      signal: signal(),
    });
    assert.equal(ok.ok, true, ok.message);
    assert.deepEqual(ok.grpc, { statusCode: 0, servingStatus: 'SERVING', ssl: true });
    const untrusted = await probe.run(
      makeCheck('grpc', { target: `127.0.0.1:${secure}`, grpc: { tls: true }, tls: { serverName: 'localhost' } }),
      { signal: signal() },
    );
    assert.equal(untrusted.reason, 'tls', untrusted.message);
    const insecure = await probe.run(
      makeCheck('grpc', {
        target: `127.0.0.1:${secure}`,
        grpc: { tls: true },
        tls: { serverName: 'localhost', insecure: true },
      }),
      { signal: signal() },
    );
    assert.equal(insecure.ok, true, insecure.message);
  });
});
