/**
 * A streaming scanner for the one JSON shape a `.heapsnapshot` has: a top-level object
 * whose values are a small `snapshot` header, huge arrays of integers (`nodes`, `edges`)
 * and a huge array of strings (`strings`). A 10,000-check agent writes a snapshot of
 * several hundred MiB, close to the longest string Node can hold (about 512 MiB), and
 * `JSON.parse` of it would need that string and then an array of boxed numbers; this
 * scanner takes the file a chunk at a time and hands each number and string to a sink,
 * so the caller stores them straight into typed arrays.
 */

/** What to do with the value of one top-level key. */
export type ValueSink =
  /** A small value (the `snapshot` header): captured and given to `done` parsed. */
  | { kind: 'parse'; done: (value: unknown) => void }
  /** An array of non-negative integers, each given to `push` in order. */
  | { kind: 'integers'; push: (value: number) => void }
  /** An array of strings; `wanted(index)` false skips decoding that one (`push` gets undefined). */
  | { kind: 'strings'; wanted: (index: number) => boolean; push: (text: string | undefined) => void }
  /** Anything else: scanned over and dropped. */
  | { kind: 'skip' };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const SPACE = 0x20;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

type State =
  'start' | 'key?' | 'key' | 'colon' | 'value' | 'array' | 'integers' | 'string?' | 'string' | 'nested' | 'done';

/** Feeds a top-level JSON object through per-key sinks; see {@link ValueSink}. */
export class TopLevelScanner {
  readonly #sinkFor: (key: string) => ValueSink;
  #state: State = 'start';
  #sink: ValueSink = { kind: 'skip' };
  /** Bytes consumed before the current chunk, for error messages. */
  #offset = 0;
  /** Copies of the part of a string or nested value that began in an earlier chunk (the read buffer is reused). */
  #parts: Buffer[] = [];
  #escaped = false;
  #hasEscape = false;
  #keepString = true;
  #stringIndex = 0;
  #number = 0;
  #inNumber = false;
  #depth = 0;
  #inNestedString = false;

  /** `sinkFor(key)` is asked once per top-level key, when its value starts. */
  constructor(sinkFor: (key: string) => ValueSink) {
    this.#sinkFor = sinkFor;
  }

  /** Scans the next chunk. The chunk may be reused by the caller afterwards. */
  feed(bytes: Uint8Array): void {
    let i = 0;
    while (i < bytes.length) {
      if (this.#state === 'integers') i = this.#integers(bytes, i);
      else if (this.#state === 'string' || this.#state === 'key') i = this.#string(bytes, i);
      else if (this.#state === 'nested') i = this.#nested(bytes, i);
      else i = this.#structural(bytes, i);
    }
    this.#offset += bytes.length;
  }

  /** Throws unless the whole object was seen. */
  end(): void {
    if (this.#state !== 'done')
      throw new Error(`heap snapshot ends early (at byte ${this.#offset}, while in ${this.#state})`);
  }

  #fail(bytes: Uint8Array, i: number): never {
    const near = Buffer.from(bytes.subarray(Math.max(0, i - 20), i + 20)).toString('latin1');
    throw new Error(
      `unexpected byte ${JSON.stringify(String.fromCharCode(bytes[i] ?? 0))} at ${this.#offset + i} (state ${this.#state}) near ${JSON.stringify(near)}`,
    );
  }

  /** One byte between values: whitespace, commas, brackets, the colon. */
  #structural(bytes: Uint8Array, i: number): number {
    const c = bytes[i] ?? 0;
    if (c <= SPACE || (c === COMMA && (this.#state === 'key?' || this.#state === 'string?'))) return i + 1;
    switch (this.#state) {
      case 'start':
        if (c !== OPEN_BRACE) this.#fail(bytes, i);
        this.#state = 'key?';
        return i + 1;
      case 'key?':
        if (c === CLOSE_BRACE) this.#state = 'done';
        else if (c === QUOTE) this.#beginString('key', true);
        else this.#fail(bytes, i);
        return i + 1;
      case 'colon':
        if (c !== COLON) this.#fail(bytes, i);
        this.#state = 'value';
        return i + 1;
      case 'value':
        return this.#beginValue(bytes, i);
      case 'array':
        if (c !== OPEN_BRACKET) this.#fail(bytes, i);
        this.#state = this.#sink.kind === 'integers' ? 'integers' : 'string?';
        return i + 1;
      case 'string?':
        if (c === CLOSE_BRACKET) this.#state = 'key?';
        else if (c === QUOTE && this.#sink.kind === 'strings')
          this.#beginString('string', this.#sink.wanted(this.#stringIndex));
        else this.#fail(bytes, i);
        return i + 1;
      default:
        return this.#fail(bytes, i);
    }
  }

  #beginValue(bytes: Uint8Array, i: number): number {
    const c = bytes[i] ?? 0;
    if (this.#sink.kind === 'integers' || this.#sink.kind === 'strings') {
      this.#state = 'array';
      return i;
    }
    // The header and the arrays V8 leaves empty (trace_tree, samples, ...): always containers.
    if (c !== OPEN_BRACE && c !== OPEN_BRACKET) this.#fail(bytes, i);
    this.#state = 'nested';
    this.#depth = 0;
    this.#inNestedString = false;
    this.#escaped = false;
    this.#parts = [];
    return i;
  }

  #beginString(state: 'key' | 'string', keep: boolean): void {
    this.#state = state;
    this.#parts = [];
    this.#escaped = false;
    this.#hasEscape = false;
    this.#keepString = keep;
  }

  /** Inside a quoted key or string element, up to its closing quote. */
  #string(bytes: Uint8Array, i: number): number {
    const start = i;
    let escaped = this.#escaped;
    for (; i < bytes.length; i++) {
      const c = bytes[i];
      if (escaped) escaped = false;
      else if (c === BACKSLASH) escaped = this.#hasEscape = true;
      else if (c === QUOTE) break;
    }
    this.#escaped = escaped;
    if (i === bytes.length) {
      if (this.#keepString) this.#parts.push(Buffer.from(bytes.subarray(start, i)));
      return i;
    }
    const text = this.#keepString ? this.#decode(bytes.subarray(start, i)) : undefined;
    if (this.#state === 'key') {
      this.#sink = this.#sinkFor(text ?? '');
      this.#state = 'colon';
    } else {
      if (this.#sink.kind === 'strings') this.#sink.push(text);
      this.#stringIndex++;
      this.#state = 'string?';
    }
    return i + 1;
  }

  #decode(tail: Uint8Array): string {
    const raw =
      this.#parts.length === 0
        ? Buffer.from(tail.buffer, tail.byteOffset, tail.byteLength)
        : Buffer.concat([...this.#parts, tail]);
    this.#parts = [];
    // V8 escapes quotes, backslashes, control characters and (as \uXXXX) lone surrogates.
    return this.#hasEscape ? (JSON.parse(`"${raw.toString('utf8')}"`) as string) : raw.toString('utf8');
  }

  /** Inside an array of integers, up to its closing bracket: the hot loop. */
  #integers(bytes: Uint8Array, i: number): number {
    if (this.#sink.kind !== 'integers') return this.#fail(bytes, i);
    const push = this.#sink.push;
    let value = this.#number;
    let inNumber = this.#inNumber;
    for (; i < bytes.length; i++) {
      const c = bytes[i] ?? 0;
      if (c >= DIGIT_0 && c <= DIGIT_9) {
        value = value * 10 + (c - DIGIT_0);
        inNumber = true;
      } else if (c === COMMA || c <= SPACE || c === CLOSE_BRACKET) {
        if (inNumber) push(value);
        value = 0;
        inNumber = false;
        if (c === CLOSE_BRACKET) {
          this.#state = 'key?';
          i++;
          break;
        }
      } else this.#fail(bytes, i); // a sign, a fraction or an exponent: not a heap snapshot
    }
    this.#number = value;
    this.#inNumber = inNumber;
    return i;
  }

  /** Inside a nested object or array, up to where it closes; captured when it is to be parsed. */
  #nested(bytes: Uint8Array, i: number): number {
    const start = i;
    let closed = false;
    for (; i < bytes.length && !closed; i++) {
      const c = bytes[i];
      if (this.#inNestedString) {
        if (this.#escaped) this.#escaped = false;
        else if (c === BACKSLASH) this.#escaped = true;
        else if (c === QUOTE) this.#inNestedString = false;
      } else if (c === QUOTE) this.#inNestedString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.#depth++;
      else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --this.#depth === 0) closed = true;
    }
    const sink = this.#sink;
    if (sink.kind === 'parse') this.#parts.push(Buffer.from(bytes.subarray(start, i)));
    if (closed) {
      if (sink.kind === 'parse') sink.done(JSON.parse(Buffer.concat(this.#parts).toString('utf8')));
      this.#parts = [];
      this.#state = 'key?';
    }
    return i;
  }
}
