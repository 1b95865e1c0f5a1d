import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  compileAllow,
  parseAllowEntry,
  probeRefusal,
  refusedUnresolved,
  type AddressPolicy,
  type SelfEndpoint,
} from '../../src/net/address-policy.js';
import { cidrWithin, inCidr, parseCidr, parseIp } from '../../src/net/ip.js';

function policy(allow?: string[], self?: SelfEndpoint): AddressPolicy {
  return { allow: compileAllow(allow), self };
}

/** The refusal for `host:port` resolving to `addresses` (an IP target resolves to itself). */
function refusal(p: AddressPolicy, host: string, port: number, addresses: string[] = [host]): string | undefined {
  return probeRefusal(p, { host, port }, addresses);
}

test('ip: IPv4-mapped IPv6 is its IPv4 address; CIDRs clear host bits and nest', () => {
  assert.deepEqual(parseIp('::ffff:169.254.169.254'), parseIp('169.254.169.254'));
  assert.deepEqual(parseIp('[::ffff:a9fe:a9fe]'), parseIp('169.254.169.254'));
  assert.equal(parseIp('fe80::1%eth0')?.family, 6);
  assert.equal(parseIp('example.com'), undefined);
  for (const bad of [
    '10.0.0.256',
    '01.2.3.4',
    '1.2.3',
    '1:2:3:4:5:6:7',
    '1::2::3',
    '1.2.3.4::',
    'g::1',
    ':1:2::',
    '',
  ]) {
    assert.equal(parseIp(bad), undefined, bad);
  }
  for (const good of ['0.0.0.0', '::', '::1', '1::', '1:2:3:4:5:6:7:8', '::ffff:1.2.3.4', '64:ff9b::1.2.3.4']) {
    assert.ok(parseIp(good) !== undefined, good);
  }
  assert.deepEqual(parseIp('2001:db8::1'), { family: 6, value: 0x20010db8000000000000000000000001n });
  const net = parseCidr('10.1.2.3/8')!;
  assert.ok(inCidr(parseIp('10.200.0.1')!, net));
  assert.ok(!inCidr(parseIp('11.0.0.1')!, net));
  assert.ok(!inCidr(parseIp('::1')!, net), 'families never mix');
  assert.ok(cidrWithin(parseCidr('169.254.1.0/24')!, parseCidr('169.254.0.0/16')!));
  assert.ok(!cidrWithin(parseCidr('0.0.0.0/0')!, parseCidr('169.254.0.0/16')!));
  assert.equal(parseCidr('10.0.0.0/33'), undefined);
  assert.equal(parseCidr('fd00::/129'), undefined);
});

test('allow entries: hostnames, globs, IPs, CIDRs, optional ports; anything else is refused', () => {
  for (const entry of [
    'example.com',
    'Example.COM.',
    '*.example.com',
    'probe-?.internal',
    '10.0.0.0/8',
    'fd00::/8',
    '192.0.2.1',
    '2001:db8::1',
    '[2001:db8::1]:9464',
    '127.0.0.1:9464',
    'api.example.com:443',
  ]) {
    assert.ok(parseAllowEntry(entry) !== undefined, entry);
  }
  for (const entry of [
    '',
    ' example.com',
    'https://api.example.com/',
    '10.0.0.0/33',
    '10.0.0.256',
    'host:0',
    'host:70000',
    'a:b:c',
    ':80',
    '.example.com',
    'exa mple.com',
    '1.2.3.4/x',
  ]) {
    assert.equal(parseAllowEntry(entry), undefined, entry);
  }
  assert.throws(() => compileAllow(['ok.example', 'https://x/']), /"https:\/\/x\/" must be a hostname/);
});

test('no allow list: any target, as blackbox_exporter, but link-local and metadata addresses are refused', () => {
  const open = policy();
  assert.equal(refusal(open, 'example.com', 443, ['93.184.215.14']), undefined);
  assert.equal(refusal(open, '127.0.0.1', 8080), undefined, 'loopback stays open');
  assert.equal(refusal(open, '10.0.0.1', 80), undefined);
  assert.match(refusal(open, '169.254.169.254', 80)!, /^169\.254\.169\.254 is a cloud metadata address; list it/);
  assert.match(refusal(open, '::ffff:169.254.169.254', 80)!, /cloud metadata address/);
  assert.match(refusal(open, 'fd00:ec2::254', 80)!, /cloud metadata address \(AWS, IPv6\)/);
  assert.match(refusal(open, '100.100.100.200', 80)!, /cloud metadata address \(Alibaba Cloud\)/);
  assert.match(refusal(open, '169.254.10.1', 80)!, /link-local \(169\.254\.0\.0\/16\)/);
  assert.match(refusal(open, 'fe80::1', 80)!, /link-local \(fe80::\/10\)/);
  assert.match(refusal(open, 'Metadata.Google.Internal.', 80, [])!, /is a cloud metadata name/);
  assert.match(
    refusal(open, 'innocent.example', 80, ['192.0.2.7', '169.254.169.254'])!,
    /^169\.254\.169\.254 is a cloud metadata address/,
    'a name is judged by every address it resolves to',
  );
});

test('refused addresses open only to an entry that names them specifically', () => {
  assert.equal(refusal(policy(['169.254.169.254']), '169.254.169.254', 80), undefined);
  assert.equal(refusal(policy(['169.254.169.254:80']), '169.254.169.254', 80), undefined);
  assert.match(refusal(policy(['169.254.169.254:80']), '169.254.169.254', 8080)!, /metadata/, 'another port');
  assert.equal(refusal(policy(['169.254.0.0/16']), '169.254.10.1', 80), undefined, 'the link-local range itself');
  assert.match(refusal(policy(['169.254.0.0/16']), '169.254.169.254', 80)!, /metadata/, 'not the metadata address');
  assert.match(refusal(policy(['0.0.0.0/0']), '169.254.10.1', 80)!, /link-local/, 'a catch-all names nothing');
  assert.match(refusal(policy(['::/0']), 'fe80::1', 80)!, /link-local/);
  assert.match(refusal(policy(['*']), 'metadata.google.internal', 80, [])!, /metadata name/, 'a glob names nothing');
  assert.match(refusal(policy(['*.internal']), 'metadata.google.internal', 80, [])!, /metadata name/);
  assert.equal(
    refusal(policy(['metadata.google.internal']), 'metadata.google.internal', 80, ['169.254.169.254']),
    undefined,
    'the exact name opens the name and what it resolves to',
  );
  assert.match(
    refusal(policy(['*.example.com']), 'meta.example.com', 80, ['169.254.169.254'])!,
    /metadata/,
    'a name matched by a glob still may not lead to a metadata address',
  );
});

test("the agent's own listen address and port are refused unless an entry names them with the port", () => {
  const self: SelfEndpoint = { port: 9464, addresses: ['127.0.0.1'], wildcard: false };
  assert.match(
    refusal(policy(undefined, self), '127.0.0.1', 9464)!,
    /127\.0\.0\.1 port 9464 is this agent's own server/,
  );
  assert.match(refusal(policy(undefined, self), 'localhost', 9464, ['127.0.0.1'])!, /own server/);
  assert.match(refusal(policy(undefined, self), '0.0.0.0', 9464)!, /own server/, '0.0.0.0 reaches local listeners');
  assert.match(refusal(policy(undefined, self), '::ffff:127.0.0.1', 9464)!, /own server/);
  assert.equal(refusal(policy(undefined, self), '127.0.0.1', 9465), undefined, 'another port on the host is fine');
  assert.equal(refusal(policy(undefined, self), '127.0.0.2', 9464), undefined, 'not where it listens');
  assert.match(refusal(policy(['127.0.0.1'], self), '127.0.0.1', 9464)!, /own server/, 'the IP alone is not enough');
  assert.match(refusal(policy(['127.0.0.0/8'], self), '127.0.0.1', 9464)!, /own server/);
  assert.equal(refusal(policy(['127.0.0.1:9464'], self), '127.0.0.1', 9464), undefined);
  assert.equal(refusal(policy(['localhost:9464'], self), 'localhost', 9464, ['127.0.0.1']), undefined);
  const wildcard: SelfEndpoint = { port: 9464, addresses: ['10.1.2.3'], wildcard: true };
  assert.match(refusal(policy(undefined, wildcard), '127.0.0.9', 9464)!, /own server/, 'any loopback reaches *:9464');
  assert.match(refusal(policy(undefined, wildcard), '10.1.2.3', 9464)!, /own server/, 'an interface address');
  assert.equal(refusal(policy(undefined, wildcard), '10.1.2.4', 9464), undefined);
});

test('with an allow list, a name must match an entry or every address it resolves to must', () => {
  const p = policy(['*.example.com', '10.0.0.0/8', 'api.partner.test:443']);
  assert.equal(refusal(p, 'api.example.com', 443, ['203.0.113.5']), undefined, 'by name (glob)');
  assert.equal(refusal(p, 'API.Example.com.', 443, ['203.0.113.5']), undefined, 'names compare without case');
  assert.match(refusal(p, 'example.com', 443, ['203.0.113.5'])!, /^203\.0\.113\.5 is not in server\.probe\.allow$/);
  assert.equal(refusal(p, 'db.corp.test', 5432, ['10.1.2.3']), undefined, 'by address (CIDR)');
  assert.match(refusal(p, 'db.corp.test', 5432, ['10.1.2.3', '203.0.113.9'])!, /203\.0\.113\.9 is not in/);
  assert.match(refusal(p, 'nowhere.test', 80, [])!, /^nowhere\.test is not in server\.probe\.allow$/);
  assert.equal(refusal(p, '10.9.9.9', 80), undefined);
  assert.match(refusal(p, '11.0.0.1', 80)!, /not in server\.probe\.allow/);
  assert.equal(refusal(p, 'api.partner.test', 443, ['198.51.100.1']), undefined);
  assert.match(refusal(p, 'api.partner.test', 80, ['198.51.100.1'])!, /not in/, 'the entry names port 443 only');
  assert.match(refusal(policy([]), 'example.com', 80, ['93.184.215.14'])!, /not in/, 'an empty list allows nothing');
});

test('names no entry could admit are refused before they are resolved', () => {
  const names = policy(['*.example.com']);
  assert.match(refusedUnresolved(names, { host: 'made-up.test', port: 80 })!, /made-up\.test is not in/);
  assert.equal(refusedUnresolved(names, { host: 'a.example.com', port: 80 }), undefined);
  assert.equal(refusedUnresolved(policy(['10.0.0.0/8']), { host: 'made-up.test', port: 80 }), undefined);
  assert.equal(refusedUnresolved(policy(), { host: 'made-up.test', port: 80 }), undefined);
});

const octet = fc.nat(255);
const ipv4 = fc.tuple(octet, octet, octet, octet).map((parts) => parts.join('.'));

test('property: an IPv4 address and its IPv4-mapped IPv6 form get the same verdict', () => {
  const p = policy(['10.0.0.0/8', '169.254.7.0/24', '192.0.2.1']);
  fc.assert(
    fc.property(ipv4, (address) => {
      const mapped = `::ffff:${address}`;
      assert.equal(refusal(p, mapped, 80)?.replace(mapped, address), refusal(p, address, 80));
    }),
  );
});

test('property: no catch-all entry opens a link-local address', () => {
  const catchAll = policy(['0.0.0.0/0', '::/0', '*']);
  fc.assert(
    fc.property(octet, octet, (c, d) => {
      assert.match(refusal(catchAll, `169.254.${c}.${d}`, 80) ?? '', /link-local|metadata/);
      assert.match(refusal(catchAll, `fe80::${c.toString(16)}:${d.toString(16)}`, 443) ?? '', /link-local/);
    }),
  );
});
