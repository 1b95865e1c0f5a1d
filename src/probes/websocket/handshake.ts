/**
 * The opening handshake of RFC 6455 (section 4), written and read by hand on the probe's
 * own socket. A refused upgrade (any status but 101) is `http_status`: the server answered
 * HTTP and said no, as an http check's unexpected status is. An answer that is not HTTP,
 * or a 101 whose Sec-WebSocket-Accept or subprotocol is wrong, is `protocol`.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { FAILURE_REASONS } from '../../results/reasons.js';
import { ProbeFailure } from '../http/classify.js';
import type { ByteReader } from './reader.js';

/** The GUID every server appends to the key (RFC 6455, section 1.3). */
const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Largest answer head read; the http probe's default header cap. */
export const MAX_HEAD_BYTES = 16 * 1024;

/** What the upgrade request carries. */
export interface UpgradeRequest {
  url: URL;
  headers: Readonly<Record<string, string>>;
  subprotocols: readonly string[];
}

/** What the server's answer said. */
export interface UpgradeAnswer {
  status: number;
  /** The status line's reason text, for messages. */
  statusText: string;
  headers: Map<string, string>;
}

/** The request's text, and the key whose hash the answer must carry. */
export function upgradeRequest(request: UpgradeRequest): { text: string; key: string } {
  const key = randomBytes(16).toString('base64');
  const lines = [`GET ${request.url.pathname || '/'}${request.url.search} HTTP/1.1`];
  const own = Object.entries(request.headers);
  const host = own.find(([name]) => name.toLowerCase() === 'host');
  // URL.host leaves out the scheme's default port, as a Host header should.
  lines.push(`Host: ${host?.[1] ?? request.url.host}`);
  lines.push('Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${key}`, 'Sec-WebSocket-Version: 13');
  if (request.subprotocols.length > 0) lines.push(`Sec-WebSocket-Protocol: ${request.subprotocols.join(', ')}`);
  for (const [name, value] of own) if (name.toLowerCase() !== 'host') lines.push(`${name}: ${value}`);
  return { text: `${lines.join('\r\n')}\r\n\r\n`, key };
}

/** The Sec-WebSocket-Accept value a server must answer `key` with. */
export function acceptFor(key: string): string {
  return createHash('sha1')
    .update(key + ACCEPT_GUID)
    .digest('base64');
}

function parseHead(head: string): UpgradeAnswer {
  const [statusLine = '', ...rest] = head.split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!match)
    throw new ProbeFailure(FAILURE_REASONS.protocol, `not an HTTP answer: ${JSON.stringify(statusLine.slice(0, 80))}`);
  const headers = new Map<string, string>();
  for (const line of rest) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  return { status: Number(match[1]), statusText: match[2] ?? '', headers };
}

/** Reads the answer's head; the bytes after it (the first frames) stay in `reader`. */
export async function readAnswer(reader: ByteReader): Promise<UpgradeAnswer> {
  const end = await reader.find('\r\n\r\n', MAX_HEAD_BYTES);
  if (end === -2)
    throw new ProbeFailure(
      FAILURE_REASONS.headers_too_large,
      `the upgrade answer's head exceeds ${MAX_HEAD_BYTES} bytes`,
    );
  if (end === -1) {
    const reason = reader.buffered.length === 0 ? FAILURE_REASONS.reset : FAILURE_REASONS.protocol;
    throw new ProbeFailure(reason, 'the connection closed before the upgrade answer was complete');
  }
  const head = reader.take(end + 4).toString('latin1');
  return parseHead(head.slice(0, -4));
}

/**
 * Judges a complete answer: the status, the upgrade headers, the accept hash and the
 * subprotocol. Returns the subprotocol chosen, if any.
 */
export function judgeAnswer(answer: UpgradeAnswer, key: string, offered: readonly string[]): string | undefined {
  if (answer.status !== 101)
    throw new ProbeFailure(
      FAILURE_REASONS.http_status,
      `the upgrade was refused: ${answer.status}${answer.statusText ? ` ${answer.statusText}` : ''} (expected 101)`,
    );
  const h = answer.headers;
  if (h.get('upgrade')?.toLowerCase() !== 'websocket' || !/\bupgrade\b/i.test(h.get('connection') ?? ''))
    throw new ProbeFailure(FAILURE_REASONS.protocol, '101 without "Upgrade: websocket" and "Connection: Upgrade"');
  if (h.get('sec-websocket-accept') !== acceptFor(key))
    throw new ProbeFailure(FAILURE_REASONS.protocol, 'Sec-WebSocket-Accept does not match the key sent');
  if (h.has('sec-websocket-extensions'))
    throw new ProbeFailure(FAILURE_REASONS.protocol, 'the server chose an extension none was offered');
  const chosen = h.get('sec-websocket-protocol');
  if (chosen !== undefined && !offered.includes(chosen))
    throw new ProbeFailure(
      FAILURE_REASONS.protocol,
      `the server chose the subprotocol "${chosen}", which was not offered`,
    );
  return chosen;
}

/** Writes `text`; resolves once it is handed to the kernel. */
export function write(socket: Socket, data: string | Buffer): Promise<void> {
  return new Promise<void>((resolve, reject) => socket.write(data, (err) => (err ? reject(err) : resolve())));
}
