import assert from 'node:assert/strict';
import { test } from 'node:test';
import { icmpCheckSchema } from '../../src/config/schema/icmp.js';
import { queuedErrorFailure } from '../../src/probes/icmp/failure.js';
import { checksum, echoRequest, isAboutRequest, isReply } from '../../src/probes/icmp/packet.js';

/** The reply a host sends: the request with the type changed (and, for IPv4, the checksum redone). */
function replyTo(message: Buffer, type: number): Buffer {
  const reply = Buffer.from(message);
  reply[0] = type;
  reply.writeUInt16BE(0, 2);
  reply.writeUInt16BE(checksum(reply), 2);
  return reply;
}

test('checksum: RFC 1071, odd lengths padded; a message with its checksum sums to 0', () => {
  // The example of RFC 1071 section 3: 0001 f203 f4f5 f6f7 sums to ddf2, complemented 220d.
  assert.equal(checksum(Buffer.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7])), 0x220d);
  assert.equal(checksum(Buffer.from([0xff])), 0x00ff);
  const request = echoRequest(4, 0x1234, 7, 33);
  assert.equal(checksum(request.message), 0);
});

test('echoRequest: header fields, the default payload, and payloadSize bytes of pattern', () => {
  const v4 = echoRequest(4, 0xbeef, 0x0102);
  assert.equal(v4.message[0], 8);
  assert.equal(v4.message.readUInt16BE(4), 0xbeef);
  assert.equal(v4.message.readUInt16BE(6), 0x0102);
  assert.equal(v4.message.subarray(8).toString(), 'canary icmp probe');
  const v6 = echoRequest(6, 1, 2, 300);
  assert.equal(v6.message[0], 128);
  assert.equal(v6.message.length, 308);
  assert.equal(v6.message[8 + 257], 1);
  assert.equal(echoRequest(4, 1, 2, 0).message.length, 8);
});

test('isReply: type, sequence, identifier (raw sockets only) and the payload must all match', () => {
  const request = echoRequest(4, 0x1111, 42, 16);
  const reply = replyTo(request.message, 0);
  assert.equal(isReply(request, reply, true), true);
  assert.equal(isReply(request, request.message, true), false, 'our own request, seen by a raw socket');
  const otherId = Buffer.from(reply);
  otherId.writeUInt16BE(0x2222, 4);
  assert.equal(isReply(request, otherId, true), false, "another probe's reply");
  assert.equal(isReply(request, otherId, false), true, "a ping socket's kernel sets the identifier");
  const otherSeq = Buffer.from(reply);
  otherSeq.writeUInt16BE(43, 6);
  assert.equal(isReply(request, otherSeq, false), false);
  const changed = Buffer.from(reply);
  changed.writeUInt8(changed.readUInt8(changed.length - 1) ^ 0xff, changed.length - 1);
  assert.equal(isReply(request, changed, true), false, 'payload altered on the way');
  assert.equal(isReply(request, reply.subarray(0, 12), true), false, 'payload cut short');
  const v6 = echoRequest(6, 5, 6);
  assert.equal(isReply(v6, replyTo(v6.message, 129), true), true);
  assert.equal(isAboutRequest(v6, v6.message, true), true);
  assert.equal(isAboutRequest(request, reply, true), false);
});

test('ICMP errors in words, naming who sent them', () => {
  const base = { error: 113, info: 0, data: Buffer.alloc(8) };
  const exceeded = queuedErrorFailure({ ...base, origin: 2, type: 11, code: 0, offender: '192.0.2.1' });
  assert.equal(exceeded.reason, 'unreachable');
  assert.equal(exceeded.message, 'ICMP time exceeded (TTL ran out in transit) from 192.0.2.1');
  const tooBig = queuedErrorFailure({ ...base, origin: 3, type: 2, code: 0, info: 1280, offender: '2001:db8::1' });
  assert.equal(tooBig.message, 'ICMP packet too big (MTU 1280) from 2001:db8::1');
  const local = queuedErrorFailure({ ...base, error: 90, origin: 1, type: 0, code: 0, offender: '' });
  assert.equal(local.reason, 'unreachable');
  assert.match(local.message, /^send failed \(EMSGSIZE\)/);
});

test('schema: target without port or scheme, bounded payload and ttl, an IP sourceIp', () => {
  const parse = (input: Record<string, unknown>) =>
    icmpCheckSchema.safeParse({ name: 'p', kind: 'icmp', target: 'example.com', ...input });
  assert.equal(parse({}).success, true);
  assert.equal(parse({ target: '2001:db8::1' }).success, true);
  for (const target of ['example.com:80', 'http://example.com', '[2001:db8::1]', ''])
    assert.equal(parse({ target }).success, false, target);
  assert.equal(parse({ icmp: { payloadSize: 65_507, ttl: 255 } }).success, true);
  assert.equal(parse({ icmp: { payloadSize: 65_508 } }).success, false);
  assert.equal(parse({ icmp: { ttl: 0 } }).success, false);
  assert.equal(parse({ icmp: { sourceIp: 'eth0' } }).success, false);
  assert.equal(parse({ icmp: { interval: 1 } }).success, false);
});
