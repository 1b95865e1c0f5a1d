/**
 * Keeps the last bytes of a stream. A command's verdict is usually at the end of its
 * output (the error, the summary line), and a chatty command must not grow the journal.
 */
export class TailBuffer {
  #chunks: Buffer[] = [];
  #kept = 0;
  /** Bytes seen in all, kept or not. */
  total = 0;
  readonly #limit: number;

  /** @param limit - bytes to keep. */
  constructor(limit: number) {
    this.#limit = limit;
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    this.#chunks.push(chunk);
    this.#kept += chunk.length;
    // Trim only when a whole chunk can go or the buffer is twice the limit, so a stream of
    // small chunks does not copy the kept bytes on every push.
    while (this.#chunks.length > 1 && this.#kept - (this.#chunks[0] as Buffer).length >= this.#limit) {
      this.#kept -= (this.#chunks.shift() as Buffer).length;
    }
    if (this.#kept > 2 * this.#limit) this.#compact();
  }

  /** The kept tail as text, prefixed with how much was dropped when anything was. */
  text(): string {
    this.#compact();
    const tail = (this.#chunks[0] ?? Buffer.alloc(0)).toString('utf8');
    const dropped = this.total - this.#kept;
    return dropped > 0 ? `[${dropped} bytes dropped]…${tail}` : tail;
  }

  #compact(): void {
    const all = Buffer.concat(this.#chunks);
    // Copy the tail: a view would pin the whole concatenation in memory.
    const tail = all.length > this.#limit ? Buffer.from(all.subarray(all.length - this.#limit)) : all;
    this.#chunks = [tail];
    this.#kept = tail.length;
  }
}
