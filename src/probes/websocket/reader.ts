/**
 * Pull-style reading of a socket's bytes for the WebSocket probe: the upgrade answer's
 * head and then frames are both "wait until N bytes (or a delimiter) are here", which
 * reads more plainly as awaits than as a state machine driven by `data` events.
 */
import type { Socket } from 'node:net';

/** Bytes received and not yet taken; `fill` waits for more. */
export class ByteReader {
  #buffer: Buffer = Buffer.alloc(0);
  #ended = false;
  #error: Error | undefined;
  #wake: (() => void) | undefined;

  constructor(socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
      this.#wake?.();
    });
    socket.once('end', () => this.#finish());
    socket.once('close', () => this.#finish());
    socket.once('error', (err) => this.#finish(err));
  }

  #finish(err?: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = err;
    this.#wake?.();
  }

  /** Bytes held now. */
  get buffered(): Buffer {
    return this.#buffer;
  }

  /** Resolves on the next chunk, end or error; rejects at once when the socket failed. */
  async #changed(): Promise<void> {
    if (this.#error !== undefined) throw this.#error;
    await new Promise<void>((resolve) => (this.#wake = resolve));
    this.#wake = undefined;
  }

  /** Waits until `n` bytes are held; false when the peer ended first. Rejects with the socket's error. */
  async fill(n: number): Promise<boolean> {
    while (this.#buffer.length < n) {
      if (this.#error !== undefined) throw this.#error;
      if (this.#ended) return false;
      await this.#changed();
    }
    return true;
  }

  /**
   * Waits until `delimiter` is held and returns where it starts; -1 when the peer ended
   * first, -2 when `max` bytes came without it.
   */
  async find(delimiter: string, max: number): Promise<number> {
    for (;;) {
      const at = this.#buffer.indexOf(delimiter);
      if (at >= 0) return at;
      if (this.#buffer.length > max) return -2;
      if (this.#error !== undefined) throw this.#error;
      if (this.#ended) return -1;
      await this.#changed();
    }
  }

  /** Takes the first `n` held bytes (call `fill(n)` first). */
  take(n: number): Buffer {
    const out = this.#buffer.subarray(0, n);
    this.#buffer = this.#buffer.subarray(n);
    return out;
  }
}
