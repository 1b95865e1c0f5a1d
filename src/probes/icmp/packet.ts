/**
 * ICMP echo messages: the request canary sends and the tests that tell its reply, or an
 * ICMP error about it, from the other traffic a raw socket sees.
 */

/** ICMP types: echo request and reply for each family. */
const ECHO = { 4: { request: 8, reply: 0 }, 6: { request: 128, reply: 129 } } as const;

/** The default payload when `payloadSize` is not set: short, and says who sent it. */
const DEFAULT_PAYLOAD = Buffer.from('canary icmp probe');

/** One echo request: what was sent and how to recognise the answers to it. */
export interface EchoRequest {
  version: 4 | 6;
  identifier: number;
  sequence: number;
  message: Buffer;
}

/** The Internet checksum (RFC 1071) of `data`. */
export function checksum(data: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < data.length; i += 2) sum += ((data[i] as number) << 8) | (data[i + 1] as number);
  if (data.length % 2 === 1) sum += (data[data.length - 1] as number) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** A payload of `size` bytes: a repeating byte pattern, so a truncated reply is noticed. */
function payloadOf(size: number | undefined): Buffer {
  if (size === undefined) return DEFAULT_PAYLOAD;
  const payload = Buffer.alloc(size);
  for (let i = 0; i < size; i++) payload[i] = i & 0xff;
  return payload;
}

/**
 * An echo request. The checksum is filled in for IPv4; for ICMPv6 the kernel computes it
 * (it covers a pseudo-header with addresses only the kernel knows for sure).
 */
export function echoRequest(version: 4 | 6, identifier: number, sequence: number, payloadSize?: number): EchoRequest {
  const payload = payloadOf(payloadSize);
  const message = Buffer.alloc(8 + payload.length);
  message[0] = ECHO[version].request;
  message.writeUInt16BE(identifier, 4);
  message.writeUInt16BE(sequence, 6);
  payload.copy(message, 8);
  if (version === 4) message.writeUInt16BE(checksum(message), 2);
  return { version, identifier, sequence, message };
}

/**
 * Whether `data` (an ICMP message) carries this request's identity. A datagram socket's
 * kernel replaces the identifier with its own and delivers only that socket's replies,
 * so there only the sequence is compared.
 */
function sameEcho(request: EchoRequest, data: Buffer, checkIdentifier: boolean): boolean {
  if (data.length < 8) return false;
  if (data.readUInt16BE(6) !== request.sequence) return false;
  return !checkIdentifier || data.readUInt16BE(4) === request.identifier;
}

/** Whether `data` is the reply to `request`: type, identity and the payload echoed unchanged. */
export function isReply(request: EchoRequest, data: Buffer, checkIdentifier: boolean): boolean {
  return (
    data[0] === ECHO[request.version].reply &&
    data[1] === 0 &&
    sameEcho(request, data, checkIdentifier) &&
    data.subarray(8).equals(request.message.subarray(8))
  );
}

/** Whether a queued ICMP error (whose data is the request it is about) concerns `request`. */
export function isAboutRequest(request: EchoRequest, data: Buffer, checkIdentifier: boolean): boolean {
  return data[0] === ECHO[request.version].request && sameEcho(request, data, checkIdentifier);
}
