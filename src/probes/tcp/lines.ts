/**
 * Reads a socket for a conversation's `expect` and `expectBytes` steps: lines end at `\n`
 * (a trailing `\r` is dropped), and exact byte counts are taken from the same stream, so a
 * step after a line step reads on where it stopped. A line longer than the cap fails with
 * reason `protocol` (a peer streaming without newlines must not grow memory without bound).
 */
import type { Socket } from 'node:net';
import { FAILURE_REASONS } from '../../results/reasons.js';
import { ProbeFailure } from '../http/classify.js';

const NEWLINE = 0x0a;

function lineOf(bytes: Buffer): string {
  return bytes.toString('utf8').replace(/\r$/, '');
}

/** A pull-style reader; `next()` resolves to the next line, `bytes(n)` to the next n bytes. */
export class LineReader {
  #buffer: Buffer = Buffer.alloc(0);
  #ended = false;
  #error: Error | undefined;
  #wake: (() => void) | undefined;
  readonly #maxLength: number;
  readonly #field: string;
  readonly #socket: Socket;
  readonly #onData = (chunk: Buffer | string): void => this.#push(chunk);
  readonly #onEnd = (): void => this.#finish();
  readonly #onError = (err: Error): void => this.#finish(err);

  /** `field` names the option block in messages (`tcp`, `unix`). */
  constructor(socket: Socket, maxLength: number, field = 'tcp') {
    this.#maxLength = maxLength;
    this.#field = field;
    this.#socket = socket;
    socket.on('data', this.#onData);
    socket.once('end', this.#onEnd);
    socket.once('close', this.#onEnd);
    socket.once('error', this.#onError);
  }

  #push(chunk: Buffer | string): void {
    this.#buffer = Buffer.concat([this.#buffer, typeof chunk === 'string' ? Buffer.from(chunk) : chunk]);
    const unterminated = this.#buffer.length - (this.#buffer.lastIndexOf(NEWLINE) + 1);
    if (unterminated > this.#maxLength) {
      this.#finish(
        new ProbeFailure(
          FAILURE_REASONS.protocol,
          `a line longer than ${this.#maxLength} characters (${this.#field}.maxLineLength)`,
        ),
      );
    }
    this.#wake?.();
  }

  #finish(err?: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = err;
    this.#wake?.();
  }

  /**
   * Stops reading the socket (before it is handed to TLS) and returns what was received
   * but not yet read: text the peer sent that no step has consumed.
   */
  detach(): string {
    this.#socket.off('data', this.#onData).off('end', this.#onEnd).off('close', this.#onEnd);
    this.#socket.off('error', this.#onError);
    const unread = this.#buffer.toString('utf8');
    this.#buffer = Buffer.alloc(0);
    return unread;
  }

  /** Resolves once more data, the end or an error arrived. */
  async #more(): Promise<void> {
    await new Promise<void>((resolve) => (this.#wake = resolve));
    this.#wake = undefined;
  }

  /** The next line; undefined once the peer closed and every line was read. Rejects on a socket error. */
  async next(): Promise<string | undefined> {
    for (;;) {
      const at = this.#buffer.indexOf(NEWLINE);
      if (at >= 0) {
        const line = lineOf(this.#buffer.subarray(0, at));
        this.#buffer = this.#buffer.subarray(at + 1);
        return line;
      }
      if (this.#error !== undefined) throw this.#error;
      if (this.#ended) {
        // A last line without a newline still counts: banners sometimes end that way.
        if (this.#buffer.length === 0) return undefined;
        const line = lineOf(this.#buffer);
        this.#buffer = Buffer.alloc(0);
        return line;
      }
      await this.#more();
    }
  }

  /** The next `count` bytes, or fewer (possibly none) when the peer closed first. Rejects on a socket error. */
  async bytes(count: number): Promise<Buffer> {
    for (;;) {
      if (this.#buffer.length >= count || this.#ended) {
        if (this.#buffer.length < count && this.#error !== undefined) throw this.#error;
        const taken = this.#buffer.subarray(0, count);
        this.#buffer = this.#buffer.subarray(taken.length);
        return taken;
      }
      await this.#more();
    }
  }
}
