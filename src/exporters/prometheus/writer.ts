/**
 * Writes exposition text straight into byte chunks. At 10,000 checks a scrape is about
 * 350,000 lines; building them as JavaScript strings and encoding those afterwards cost
 * about 0.8 µs a line on a 2-core machine, most of it `String(number)` for durations.
 * Here a line is a few copies of bytes encoded once (family names, a check's labels) and
 * numbers written digit by digit: about 0.1 µs a line.
 */

/**
 * Bytes of a buffer the writer fills: about what one 2 ms slice of a render writes. What a
 * slice wrote is handed on as a view, and the next slice goes on in the rest of the same
 * buffer, or, when the taker copied it, over it from the start.
 */
const CHUNK_BYTES = 1024 * 1024;

/** Nanoseconds in a second: durations are written at nanosecond resolution, as Go's `time.Duration` has them. */
const NS_PER_S = 1e9;

const encoder = new TextEncoder();

/** UTF-8 bytes of `text`, for the constant and per-check parts encoded once. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** `"` `\` and newline escaped, as the text formats want label values. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** `a="x",b="y"`: label pairs in the order given, values escaped. */
export function labelPairs(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([name, value]) => `${name}="${escapeLabelValue(value)}"`)
    .join(',');
}

/** A number as the text formats spell it (`NaN`, `+Inf`, `-Inf`, else JavaScript's shortest form). */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** An append-only byte sink for one render. */
export class ExpositionWriter {
  readonly #done: Uint8Array[] = [];
  /** The buffer last allocated; `#buf` is the part of it not handed out yet. */
  #whole: Buffer;
  #buf: Buffer;
  #pos = 0;
  #bytes = 0;

  /** `buffer`: one to write into first, kept from an earlier render (see {@link release}). */
  constructor(buffer?: Buffer) {
    this.#whole = buffer ?? Buffer.allocUnsafeSlow(CHUNK_BYTES);
    this.#buf = this.#whole;
  }

  /** Bytes written so far. */
  get size(): number {
    return this.#bytes + this.#pos;
  }

  /** Copies bytes encoded beforehand (`set` is a memcpy: four times a loop's speed for 40 bytes). */
  bytes(src: Uint8Array): void {
    this.#room(src.length);
    this.#buf.set(src, this.#pos);
    this.#pos += src.length;
  }

  /** Copies `src[start, end)`: part of a block encoded beforehand (an exemplar's trace and span ids). */
  slice(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.#room(n);
    const buf = this.#buf;
    const at = this.#pos;
    for (let i = 0; i < n; i++) buf[at + i] = src[start + i] as number;
    this.#pos = at + n;
  }

  /** One byte, e.g. a newline. */
  byte(code: number): void {
    this.#room(1);
    this.#buf[this.#pos++] = code;
  }

  /** A string, UTF-8 encoded; for the rare text not encoded beforehand. */
  text(text: string): void {
    this.#room(text.length * 3);
    this.#pos += this.#buf.write(text, this.#pos, 'utf8');
  }

  /** Any number, spelled as {@link formatValue} spells it; non-negative integers take a fast path. */
  value(value: number): void {
    if (Number.isSafeInteger(value) && value >= 0) this.#digits(value);
    else this.text(formatValue(value));
  }

  /**
   * Seconds at nanosecond resolution (`0.001234568`): what a duration measured in
   * fractions of a millisecond means, written without `String(number)`, which costs ten
   * times more. Beyond about 100 days it falls back to the shortest form.
   */
  seconds(value: number): void {
    const ns = Math.round(value * NS_PER_S);
    if (!Number.isSafeInteger(ns) || ns < 0) return this.value(value);
    const whole = Math.floor(ns / NS_PER_S);
    let fraction = ns - whole * NS_PER_S;
    this.#digits(whole);
    if (fraction === 0) return;
    let width = 9;
    while (fraction % 10 === 0) {
      fraction /= 10;
      width--;
    }
    this.#room(width + 1);
    const buf = this.#buf;
    buf[this.#pos++] = 0x2e; // '.'
    const end = this.#pos + width;
    for (let p = end - 1; p >= this.#pos; p--) {
      const q = Math.floor(fraction / 10);
      buf[p] = 0x30 + (fraction - q * 10);
      fraction = q;
    }
    this.#pos = end;
  }

  /** Appends bytes encoded beforehand as a chunk of their own, without copying them. */
  chunk(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.#pos > 0) {
      this.#done.push(this.#buf.subarray(0, this.#pos));
      this.#bytes += this.#pos;
      this.#buf = this.#buf.subarray(this.#pos);
      this.#pos = 0;
    }
    this.#done.push(bytes);
    this.#bytes += bytes.length;
  }

  /** Hands over every byte written since the last call, as chunks. */
  take(): Uint8Array[] {
    if (this.#pos > 0) {
      this.#done.push(this.#buf.subarray(0, this.#pos));
      this.#bytes += this.#pos;
      this.#buf = this.#buf.subarray(this.#pos);
      this.#pos = 0;
    }
    return this.#done.splice(0);
  }

  /**
   * Writes over the bytes handed out so far: for a caller that copied every chunk it took,
   * so a render reuses one buffer instead of allocating the whole exposition again.
   */
  recycle(): void {
    if (this.#pos === 0 && this.#done.length === 0) this.#buf = this.#whole;
  }

  /**
   * The buffer being written, for a later render to start in, once the caller has copied
   * every chunk it took (the writer must not be used after).
   */
  release(): Buffer {
    return this.#whole;
  }

  #digits(n: number): void {
    this.#room(16);
    const buf = this.#buf;
    if (n === 0) {
      buf[this.#pos++] = 0x30;
      return;
    }
    let width = 0;
    for (let t = n; t >= 1; t = Math.floor(t / 10)) width++;
    let p = this.#pos + width;
    this.#pos = p;
    while (n >= 1) {
      const q = Math.floor(n / 10);
      buf[--p] = 0x30 + (n - q * 10);
      n = q;
    }
  }

  #room(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    this.#done.push(this.#buf.subarray(0, this.#pos));
    this.#bytes += this.#pos;
    this.#whole = Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, n));
    this.#buf = this.#whole;
    this.#pos = 0;
  }
}
