import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sampleValue, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { icmpUnavailable } from '../helpers/icmp.js';
import { makeCheck } from '../helpers/kind-checks.js';
import { createIcmpProbe } from '../../src/probes/icmp.js';

const families = (exposition: string): string[] => [...exposition.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1] ?? '');

describe('GET /probe with an icmp module', { skip: icmpUnavailable() }, () => {
  let agent: TestAgent;

  before(async () => {
    agent = await startTestAgent(
      [
        'server: { listen: "127.0.0.1:0", probe: { allow: ["127.0.0.1", "::1"] } }',
        'exporters: { log: { level: silent } }',
        'modules:',
        '  ping: { prober: icmp, timeout: 5s }',
        '  ping6: { prober: icmp, timeout: 5s, icmp: { ipFamily: ipv6, ttl: 8 } }',
      ].join('\n'),
    );
  });
  after(async () => {
    await agent?.stop();
  });

  test('a reply: success with the blackbox icmp families', async () => {
    const res = await agent.get('/probe?module=ping&target=127.0.0.1');
    assert.equal(res.status, 200);
    assert.deepEqual(families(res.body), [
      'probe_dns_lookup_time_seconds',
      'probe_duration_seconds',
      'probe_icmp_duration_seconds',
      'probe_icmp_reply_hop_limit',
      'probe_ip_protocol',
      'probe_success',
    ]);
    assert.equal(sampleValue(res.body, 'probe_success'), 1, res.body);
    assert.equal(sampleValue(res.body, 'probe_ip_protocol'), 4);
    assert.equal(sampleValue(res.body, 'probe_icmp_reply_hop_limit'), 64);
    for (const phase of ['resolve', 'setup', 'rtt'])
      assert.notEqual(sampleValue(res.body, 'probe_icmp_duration_seconds', { phase }), undefined, phase);
  });

  test('a target with a port fails the probe (no hop limit series), and a target off the allow list is refused', async () => {
    const withPort = await agent.get('/probe?module=ping&target=127.0.0.1:80');
    assert.equal(withPort.status, 200);
    assert.equal(sampleValue(withPort.body, 'probe_success'), 0);
    assert.equal(families(withPort.body).includes('probe_icmp_reply_hop_limit'), false);
    const other = await agent.get('/probe?module=ping&target=127.0.0.2');
    assert.equal(other.status, 403);
    assert.equal(other.body, 'Probe target refused: 127.0.0.2 is not in server.probe.allow\n');
  });

  test('the vet is asked with the address about to be pinged, port 0; a veto sends nothing', async () => {
    const asked: string[] = [];
    const observation = await createIcmpProbe().run(makeCheck('icmp', { target: 'localhost' }), {
      signal: AbortSignal.timeout(5000),
      vetAddress: (host, address, port) => {
        asked.push(`${host} ${address} ${port}`);
        return 'not today';
      },
    });
    assert.equal(observation.reason, 'connect');
    assert.match(observation.message ?? '', /refused by server\.probe: not today/);
    assert.equal(asked.length, 1);
    assert.match(asked[0] ?? '', /^localhost (127\.0\.0\.1|::1) 0$/);
    assert.equal(observation.icmp?.rttSeconds, 0, 'nothing was sent');
  });
});
