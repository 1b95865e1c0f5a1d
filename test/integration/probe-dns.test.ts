import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { after, before, describe, test } from 'node:test';
import { createDnsProbe } from '../../src/probes/dns.js';
import { executeCheck } from '../../src/run/execute.js';
import { findDnsmasq, startDnsmasq, type Dnsmasq } from '../helpers/dnsmasq.js';
import { makeCheck, metricLines } from '../helpers/kind-checks.js';
import { closedPort } from '../helpers/servers.js';

const signal = (ms = 5000): AbortSignal => AbortSignal.timeout(ms);
const region = { region: 'test' };

/** A UDP socket on 127.0.0.1 that answers each query with the datagrams `reply(query)` gives, in order. */
async function udpServer(reply: (query: Buffer) => Buffer[]): Promise<{ socket: UdpSocket; server: string }> {
  const socket = createSocket('udp4');
  socket.on('message', (msg, from) => {
    for (const answer of reply(msg)) socket.send(answer, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, server: `127.0.0.1:${socket.address().port}` };
}

describe('dns probe against dnsmasq', () => {
  const binary = findDnsmasq();
  const probe = createDnsProbe();
  let dnsmasq: Dnsmasq | undefined;
  const dns = (target: string, options: Record<string, unknown> = {}, expect: Record<string, unknown> = {}) =>
    makeCheck('dns', { target, dns: { server: dnsmasq?.server, ...options }, expect });

  before(async () => {
    if (binary) dnsmasq = await startDnsmasq(binary);
  });
  after(async () => {
    await dnsmasq?.stop();
  });

  test('an A record over UDP: ok, the record as dig prints it, and the blackbox metrics', async (t) => {
    if (!binary) return t.skip('dnsmasq not found (apt-get install dnsmasq-base)');
    const result = await executeCheck(
      dns('www.canary.test', {}, { answers: [{ matches: '\\tA\\t192\\.0\\.2\\.10$' }] }),
      probe,
      { signal: signal() },
      region,
    );
    assert.equal(result.ok, true, result.message);
    const facts = result.observation.dns;
    assert.equal(facts?.rcode, 'NOERROR');
    assert.deepEqual(facts?.answers, ['www.canary.test.\t0\tIN\tA\t192.0.2.10']);
    assert.equal(facts?.authoritative, true);
    assert.equal(result.observation.phases.connect, undefined, 'no connect over UDP');
    assert.equal(typeof result.observation.dnsLookupSeconds, 'number');
    const labels = 'check="test-check",kind="dns",region="test"';
    assert.deepEqual(await metricLines(result, 'probe_dns_'), [
      // Durations are exported at nanosecond resolution.
      `probe_dns_lookup_time_seconds{${labels}} ${(result.observation.dnsLookupSeconds ?? 0).toFixed(9).replace(/\.?0+$/, '')}`,
      `probe_dns_answer_rrs{${labels}} 1`,
      `probe_dns_authority_rrs{${labels}} 0`,
      `probe_dns_additional_rrs{${labels}} 0`,
      `probe_dns_query_succeeded{${labels}} 1`,
      `probe_dns_rcode{${labels}} 0`,
    ]);
  });

  test('AAAA over TCP: the connect phase is timed', async (t) => {
    if (!binary) return t.skip('dnsmasq not found (apt-get install dnsmasq-base)');
    const o = await probe.run(dns('www.canary.test', { type: 'AAAA', transport: 'tcp' }), { signal: signal() });
    assert.equal(o.ok, true, o.message);
    assert.deepEqual(o.dns?.answers, ['www.canary.test.\t0\tIN\tAAAA\t2001:db8::10']);
    assert.equal(typeof o.phases.connect, 'number');
  });

  test('MX, TXT, SRV and CNAME records are printed as dig prints them', async (t) => {
    if (!binary) return t.skip('dnsmasq not found (apt-get install dnsmasq-base)');
    const cases: [string, string, string][] = [
      ['canary.test', 'MX', 'canary.test.\t0\tIN\tMX\t10 mail.canary.test.'],
      ['canary.test', 'TXT', 'canary.test.\t0\tIN\tTXT\t"v=spf1 -all"'],
      ['_http._tcp.canary.test', 'SRV', '_http._tcp.canary.test.\t0\tIN\tSRV\t0 5 8080 www.canary.test.'],
      ['alias.canary.test', 'CNAME', 'alias.canary.test.\t0\tIN\tCNAME\twww.canary.test.'],
    ];
    for (const [name, type, record] of cases) {
      const o = await probe.run(dns(name, { type, transport: type === 'TXT' ? 'tcp' : 'udp' }), { signal: signal() });
      assert.equal(o.ok, true, `${type}: ${o.message ?? ''}`);
      assert.equal(o.dns?.answers[0], record);
    }
  });

  test('NXDOMAIN is an answer: it fails the default rcode expectation and passes rcode: [NXDOMAIN]', async (t) => {
    if (!binary) return t.skip('dnsmasq not found (apt-get install dnsmasq-base)');
    const failed = await executeCheck(dns('missing.canary.test'), probe, { signal: signal() }, region);
    assert.equal(failed.observation.ok, true);
    assert.equal(failed.reason, 'assertion');
    assert.equal(failed.message, 'rcode: expected one of NOERROR, got NXDOMAIN');
    assert.ok((await metricLines(failed, 'probe_dns_rcode{')).some((line) => line.endsWith(' 3')));
    const passed = await executeCheck(
      dns('missing.canary.test', {}, { rcode: ['NXDOMAIN'] }),
      probe,
      { signal: signal() },
      region,
    );
    assert.equal(passed.ok, true, passed.message);
  });

  test('minAnswers and notMatches each fail with their own outcome', async (t) => {
    if (!binary) return t.skip('dnsmasq not found (apt-get install dnsmasq-base)');
    const check = dns(
      'alias.canary.test',
      { transport: 'tcp' },
      { minAnswers: 3, answers: [{ notMatches: 'CNAME' }], additional: [{ matches: '.' }] },
    );
    const result = await executeCheck(check, probe, { signal: signal() }, region);
    assert.equal(result.reason, 'assertion');
    assert.deepEqual(
      result.outcomes.map((o) => [o.name, o.ok, o.actual]),
      [
        ['rcode', true, 'NOERROR'],
        ['minAnswers', false, '2'],
        ['answers notMatches', false, 'found "alias.canary.test.\\t0\\tIN\\tCNAME\\twww.canary.test."'],
        ['additional matches', false, 'none of 0 record(s)'],
      ],
    );
  });
});

describe('dns probe failures', () => {
  const probe = createDnsProbe();
  const sockets: UdpSocket[] = [];
  after(() => {
    for (const socket of sockets) socket.close();
  });

  test('no nameserver on the port: refused over UDP (ICMP port unreachable) and over TCP', async () => {
    const server = `127.0.0.1:${await closedPort()}`;
    for (const transport of ['udp', 'tcp']) {
      const o = await probe.run(makeCheck('dns', { target: 'canary.test', dns: { server, transport } }), {
        signal: signal(),
      });
      assert.equal(o.reason, 'refused', `${transport}: ${o.message ?? ''}`);
    }
  });

  test('a nameserver that never answers is a timeout, and the metrics show no answer', async () => {
    const silent = await udpServer(() => []);
    sockets.push(silent.socket);
    const result = await executeCheck(
      makeCheck('dns', { target: 'canary.test', dns: { server: silent.server } }),
      probe,
      { signal: signal(300) },
      region,
    );
    assert.equal(result.reason, 'timeout');
    assert.match(result.message ?? '', /during the answer/);
    assert.ok((await metricLines(result, 'probe_dns_query_succeeded{')).some((line) => line.endsWith(' 0')));
  });

  test('an answer with another id is ignored; a malformed one with the right id is reason protocol', async () => {
    let sent = 0;
    const liar = await udpServer((query) => {
      sent++;
      const wrong = Buffer.from(query);
      wrong.writeUInt16BE((query.readUInt16BE(0) + 1) & 0xffff, 0);
      return [wrong, Buffer.from([query[0] as number, query[1] as number, 0x81])];
    });
    sockets.push(liar.socket);
    const o = await probe.run(makeCheck('dns', { target: 'canary.test', dns: { server: liar.server } }), {
      signal: signal(),
    });
    assert.equal(sent, 1);
    assert.equal(o.reason, 'protocol', o.message);
    assert.match(o.message ?? '', /^malformed DNS answer/);
  });
});
