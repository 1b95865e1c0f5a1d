/**
 * Frames put together into messages: fragments joined, pings answered (a server that
 * pings and gets no pong may close on the probe), pongs ignored, and the server's close
 * reported with its code.
 */
import type { Socket } from 'node:net';
import { FAILURE_REASONS } from '../../results/reasons.js';
import { ProbeFailure } from '../http/classify.js';
import { encodeFrame, OPCODE, readFrame } from './frames.js';
import type { ByteReader } from './reader.js';

/**
 * Largest message read, fragments together: the http probe's default body cap. A server
 * streaming more must not grow the agent's memory without bound.
 */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/** Most fragments one message may come in. */
const MAX_FRAGMENTS = 4096;

/** The close code that stands for a connection dropped without a close frame (RFC 6455, 7.1.5). */
export const ABNORMAL_CLOSURE = 1006;

/** The close code of a close frame without one (RFC 6455, 7.1.5). */
export const NO_STATUS_RECEIVED = 1005;

/** What the next read brought: a whole message, or the end of the connection. */
export type Incoming = { kind: 'message'; text: string; binary: boolean } | { kind: 'close'; code: number };

/** Reads messages from the server, one at a time. */
export class MessageReader {
  readonly #reader: ByteReader;
  readonly #socket: Socket;

  constructor(reader: ByteReader, socket: Socket) {
    this.#reader = reader;
    this.#socket = socket;
  }

  /** The next message, or the close (1006 when the connection ended without a close frame). */
  async next(): Promise<Incoming> {
    const parts: Buffer[] = [];
    let size = 0;
    let opcode: number | undefined;
    for (;;) {
      const frame = await readFrame(this.#reader, MAX_MESSAGE_BYTES - size);
      if (frame === undefined) return { kind: 'close', code: ABNORMAL_CLOSURE };
      if (frame.opcode === OPCODE.close)
        return { kind: 'close', code: frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : NO_STATUS_RECEIVED };
      if (frame.opcode === OPCODE.ping) {
        this.#socket.write(encodeFrame(OPCODE.pong, frame.payload));
        continue;
      }
      if (frame.opcode === OPCODE.pong) continue;
      if ((frame.opcode === OPCODE.continuation) !== (opcode !== undefined))
        throw new ProbeFailure(FAILURE_REASONS.protocol, 'a message fragment out of order');
      opcode ??= frame.opcode;
      // Empty fragments cost no bytes of the cap; this bounds how many a message may have.
      if (parts.length >= MAX_FRAGMENTS)
        throw new ProbeFailure(FAILURE_REASONS.protocol, `a message in more than ${MAX_FRAGMENTS} fragments`);
      parts.push(frame.payload);
      size += frame.payload.length;
      if (frame.fin) {
        const data = Buffer.concat(parts);
        return { kind: 'message', text: data.toString('utf8'), binary: opcode === OPCODE.binary };
      }
    }
  }
}
