/**
 * Reads a socket line by line for the tcp probe's `expect` steps. Lines end at `\n`, a
 * trailing `\r` is dropped; a line longer than the cap fails with reason `protocol` (a
 * peer streaming without newlines must not grow memory without bound).
 */
import type { Socket } from 'node:net';
import { FAILURE_REASONS } from '../../results/reasons.js';
import { ProbeFailure } from '../http/classify.js';

/** A pull-style line reader; `next()` resolves to the next line, or undefined at end of stream. */
export class LineReader {
  #buffer = '';
  readonly #lines: string[] = [];
  #ended = false;
  #error: Error | undefined;
  #wake: (() => void) | undefined;
  readonly #maxLength: number;

  constructor(socket: Socket, maxLength: number) {
    this.#maxLength = maxLength;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.#push(chunk));
    socket.once('end', () => this.#finish());
    socket.once('close', () => this.#finish());
    socket.once('error', (err) => this.#finish(err));
  }

  #push(chunk: string): void {
    this.#buffer += chunk;
    let at: number;
    while ((at = this.#buffer.indexOf('\n')) >= 0) {
      this.#lines.push(this.#buffer.slice(0, at).replace(/\r$/, ''));
      this.#buffer = this.#buffer.slice(at + 1);
    }
    if (this.#buffer.length > this.#maxLength) {
      this.#finish(
        new ProbeFailure(
          FAILURE_REASONS.protocol,
          `a line longer than ${this.#maxLength} characters (tcp.maxLineLength)`,
        ),
      );
    }
    this.#wake?.();
  }

  #finish(err?: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = err;
    // A last line without a newline still counts: banners sometimes end that way.
    if (err === undefined && this.#buffer.length > 0) this.#lines.push(this.#buffer.replace(/\r$/, ''));
    this.#buffer = '';
    this.#wake?.();
  }

  /** The next line; undefined once the peer closed and every line was read. Rejects on a socket error. */
  async next(): Promise<string | undefined> {
    for (;;) {
      const line = this.#lines.shift();
      if (line !== undefined) return line;
      if (this.#error !== undefined) throw this.#error;
      if (this.#ended) return undefined;
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
  }
}
