import assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import { networkInterfaces } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createIcmpProbe } from '../../src/probes/icmp.js';
import { executeCheck } from '../../src/run/execute.js';
import {
  icmpUnavailable,
  makeTestNetwork,
  netnsUnavailable,
  runInNamespace,
  type TestNetwork,
} from '../helpers/icmp.js';
import { makeCheck, metricLines } from '../helpers/kind-checks.js';

const region = { region: 'test' };
const probe = createIcmpProbe();
const unavailable = icmpUnavailable();
const hasIpv6Loopback = Object.values(networkInterfaces())
  .flat()
  .some((i) => i?.address === '::1');

function ping(icmp: Record<string, unknown> = {}, target = '127.0.0.1', timeoutMs = 5000) {
  return executeCheck(
    makeCheck('icmp', { target, icmp }, { timeoutMs }),
    probe,
    { signal: AbortSignal.timeout(timeoutMs) },
    region,
  );
}

describe('icmp probe on loopback', { skip: unavailable }, () => {
  test('127.0.0.1 answers: ok, the reply TTL, the phases and the metrics', async () => {
    const result = await ping();
    assert.equal(result.ok, true, result.message);
    const icmp = result.observation.icmp;
    assert.equal(icmp?.address, '127.0.0.1');
    assert.equal(icmp?.ipProtocol, 4);
    assert.equal(icmp?.hopLimit, 64);
    assert.ok(icmp.rttSeconds > 0);
    const labels = 'check="test-check",kind="icmp",region="test"';
    const lines = await metricLines(result, 'probe_icmp_');
    assert.deepEqual(
      lines.map((l) => l.replace(/ [0-9.e-]+$/, '')),
      ['resolve', 'setup', 'rtt']
        .map((phase) => `probe_icmp_duration_seconds{phase="${phase}",${labels}}`)
        .concat(`probe_icmp_reply_hop_limit{${labels}}`),
    );
    assert.ok(lines.includes(`probe_icmp_reply_hop_limit{${labels}} 64`));
  });

  test('::1 answers over ICMPv6 with its hop limit', { skip: hasIpv6Loopback ? false : 'no ::1 here' }, async () => {
    const result = await ping({}, '::1');
    assert.equal(result.ok, true, result.message);
    assert.equal(result.observation.icmp?.ipProtocol, 6);
    assert.equal(result.observation.icmp?.hopLimit, 64);
  });

  test('a name resolves by the preferred family, falling back to the other one unless told not to', async () => {
    const families = new Set((await lookup('localhost', { all: true })).map((a) => a.family));
    const v4 = await ping({ ipFamily: 'ipv4' }, 'localhost');
    assert.equal(v4.ok, true, v4.message);
    assert.equal(v4.observation.icmp?.address, '127.0.0.1');
    const v6 = await ping({ ipFamily: 'ipv6', ipFallback: false }, 'localhost');
    if (families.has(6)) {
      assert.equal(v6.observation.icmp?.address, '::1');
    } else {
      // This host's localhost has no IPv6 address: without fallback that is a failed lookup.
      assert.equal(v6.reason, 'dns');
      assert.match(v6.message ?? '', /no IPv6 address/);
      const fallback = await ping({ ipFamily: 'ipv6' }, 'localhost');
      assert.equal(fallback.observation.icmp?.address, '127.0.0.1');
    }
  });

  test('payloadSize: a large echo (fragmented on the way) still comes back whole', async () => {
    const result = await ping({ payloadSize: 30_000 });
    assert.equal(result.ok, true, result.message);
    const tiny = await ping({ payloadSize: 0 });
    assert.equal(tiny.ok, true, tiny.message);
  });

  test('sourceIp: a local address works; one not on this host, or of the other family, fails before sending', async () => {
    assert.equal((await ping({ sourceIp: '127.0.0.1' })).ok, true);
    const foreign = await ping({ sourceIp: '192.0.2.1' });
    assert.equal(foreign.reason, 'connect');
    assert.match(foreign.message ?? '', /sourceIp \(EADDRNOTAVAIL\)/);
    const mixed = await ping({ sourceIp: '::1' });
    assert.equal(mixed.reason, 'connect');
    assert.match(mixed.message ?? '', /different IP families/);
  });

  test('a name that does not resolve is reason dns, with no icmp facts', async () => {
    const result = await ping({}, 'no-such-host.invalid');
    assert.equal(result.reason, 'dns');
    assert.equal(result.observation.icmp, undefined);
  });
});

describe('icmp probe through a router to a peer (network namespaces)', async () => {
  const why = unavailable ?? (await netnsUnavailable());
  let network: TestNetwork;
  before(async () => {
    if (why === undefined) network = await makeTestNetwork();
  });
  after(async () => {
    await network?.remove();
  });

  test('the peer answers; its reply arrives one hop down (TTL 63)', { skip: why }, async () => {
    const result = await ping({}, network.peer);
    assert.equal(result.ok, true, result.message);
    assert.equal(result.observation.icmp?.hopLimit, 63);
  });

  test('ttl 1: the router answers time exceeded, reason unreachable naming it', { skip: why }, async () => {
    const result = await ping({ ttl: 1 }, network.peer);
    assert.equal(result.reason, 'unreachable');
    assert.equal(result.message, `ICMP time exceeded (TTL ran out in transit) from ${network.router}`);
    assert.equal(result.observation.icmp?.hopLimit, undefined);
    assert.equal((await ping({ ttl: 2 }, network.peer)).ok, true);
  });

  test('a network the router cannot reach: destination unreachable from the router', { skip: why }, async () => {
    const result = await ping({}, network.prohibited);
    assert.equal(result.reason, 'unreachable');
    assert.equal(result.message, `ICMP destination unreachable: host unreachable from ${network.router}`);
  });

  test('no answer at all: reason timeout, the rtt phase the time waited', { skip: why }, async () => {
    const result = await ping({}, network.blackholed, 300);
    assert.equal(result.reason, 'timeout');
    assert.ok((result.observation.icmp?.rttSeconds ?? 0) > 0);
    assert.equal(result.observation.icmp?.hopLimit, undefined);
  });

  test(
    'dontFragment: larger than the 1280-byte link, fragmentation needed; without it, fragments get through',
    { skip: why },
    async () => {
      const refused = await ping({ payloadSize: 1400, dontFragment: true }, network.peer);
      assert.equal(refused.reason, 'unreachable');
      assert.equal(refused.message, `ICMP destination unreachable: fragmentation needed from ${network.router}`);
      const fragmented = await ping({ payloadSize: 1400 }, network.peer);
      assert.equal(fragmented.ok, true, fragmented.message);
    },
  );

  test("sourceIp: sent from this host's address on the link", { skip: why }, async () => {
    const result = await ping({ sourceIp: network.local }, network.peer);
    assert.equal(result.ok, true, result.message);
  });

  test(
    'where net.ipv4.ping_group_range allows it, an unprivileged datagram socket is used',
    { skip: why },
    async () => {
      await runInNamespace(network.peerNamespace, 'sysctl', ['-qw', 'net.ipv4.ping_group_range=0 2147483647']);
      const script = fileURLToPath(new URL('../helpers/icmp-child.js', import.meta.url));
      const out = await runInNamespace(network.peerNamespace, process.execPath, [script, network.router]);
      const observation = JSON.parse(out) as { ok: boolean; icmp?: { socket?: string; hopLimit?: number } };
      assert.equal(observation.ok, true, out);
      assert.equal(observation.icmp?.socket, 'datagram');
      assert.equal(observation.icmp?.hopLimit, 64);
    },
  );
});
