/**
 * RFC 6455 framing (section 5), the client's side: frames sent are masked, frames read
 * must not be. No extension is negotiated, so a reserved bit set is a protocol error.
 */
import { randomBytes } from 'node:crypto';
import { FAILURE_REASONS } from '../../results/reasons.js';
import { ProbeFailure } from '../http/classify.js';
import type { ByteReader } from './reader.js';

/** Frame opcodes. */
export const OPCODE = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

/** One frame as read. */
export interface Frame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

/** A client frame: FIN set, masked with a fresh key as the RFC requires of clients. */
export function encodeFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const head = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.alloc(head + 4 + length);
  frame[0] = 0x80 | opcode;
  if (length < 126) frame[1] = 0x80 | length;
  else if (length < 65_536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  const mask = randomBytes(4);
  mask.copy(frame, head);
  for (let i = 0; i < length; i++) frame[head + 4 + i] = (payload[i] as number) ^ (mask[i & 3] as number);
  return frame;
}

/** A close frame's payload: the code, big-endian. */
export function closePayload(code: number): Buffer {
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(code);
  return payload;
}

function protocolError(message: string): ProbeFailure {
  return new ProbeFailure(FAILURE_REASONS.protocol, message);
}

/** The payload length after the first two bytes; reads the extended length when there is one. */
async function payloadLength(reader: ByteReader, second: number): Promise<number | undefined> {
  const short = second & 0x7f;
  if (short < 126) return short;
  const bytes = short === 126 ? 2 : 8;
  if (!(await reader.fill(bytes))) return undefined;
  const raw = reader.take(bytes);
  const length = bytes === 2 ? raw.readUInt16BE(0) : Number(raw.readBigUInt64BE(0));
  return length;
}

/**
 * Reads one frame; undefined when the connection ends between or inside frames (the
 * caller reads that as 1006, a close without a close frame). A frame longer than
 * `maxPayload` fails with `body_too_large` before its payload is read.
 */
export async function readFrame(reader: ByteReader, maxPayload: number): Promise<Frame | undefined> {
  if (!(await reader.fill(2))) return undefined;
  const [first, second] = reader.take(2) as unknown as [number, number];
  if ((first & 0x70) !== 0) throw protocolError('a frame with a reserved bit set (no extension was negotiated)');
  if ((second & 0x80) !== 0) throw protocolError('a masked frame from the server');
  const opcode = first & 0x0f;
  const fin = (first & 0x80) !== 0;
  if (opcode >= 8 && (!fin || (second & 0x7f) > 125)) throw protocolError('a fragmented or oversized control frame');
  if (![0, 1, 2, 8, 9, 10].includes(opcode)) throw protocolError(`a frame with the unknown opcode ${opcode}`);
  const length = await payloadLength(reader, second);
  if (length === undefined) return undefined;
  if (length > maxPayload)
    throw new ProbeFailure(FAILURE_REASONS.body_too_large, `a message larger than ${maxPayload} bytes`);
  if (!(await reader.fill(length))) return undefined;
  return { fin, opcode, payload: Buffer.from(reader.take(length)) };
}
