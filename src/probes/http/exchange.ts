/**
 * One request/response on an undici Client, as a dispatch handler. It speaks undici's
 * core handler interface (onConnect/onHeaders/onData/onComplete/onError) because that
 * is what the client calls natively: raw header buffers, no parsed header object and no
 * wrapper per request. `done` resolves (never rejects) when the exchange is over.
 */
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { Dispatcher } from 'undici';
import { FAILURE_REASONS } from '../../results/reasons.js';
import type { Attempt, Settleable } from './attempt.js';
import { ProbeFailure } from './classify.js';

/** Limits and wishes for one exchange. */
export interface ExchangeOptions {
  maxBodySize: number;
  /** Keep the body text (an expectation reads it); otherwise bytes are only counted. */
  keepBody: boolean;
  /** The kept body is decompressed this way before it is read (`http.compression`). */
  compression?: 'gzip' | 'deflate' | 'br';
}

const DECOMPRESS = { gzip: gunzipSync, deflate: inflateSync, br: brotliDecompressSync } as const;

export class Exchange implements Dispatcher.DispatchHandler, Settleable {
  /** Status of the response; 0 until headers arrive. */
  status = 0;
  /** Raw response headers as undici hands them: name, value, name, value. */
  rawHeaders: Buffer[] | undefined;
  bodyBytes = 0;
  /** Set when the exchange failed; absent on a complete response. */
  error: Error | undefined;
  readonly done: Promise<void>;

  readonly #attempt: Attempt;
  readonly #options: ExchangeOptions;
  #chunks: Buffer[] | undefined;
  #abort: ((err?: Error) => void) | undefined;
  #sentAt = 0;
  #headersAt = 0;
  #settled = false;
  #release!: () => void;

  constructor(attempt: Attempt, options: ExchangeOptions) {
    this.#attempt = attempt;
    this.#options = options;
    if (options.keepBody) this.#chunks = [];
    this.done = new Promise<void>((resolve) => {
      this.#release = resolve;
    });
  }

  /** Called by undici just before it writes the request on the socket. */
  onConnect(abort: (err?: Error) => void): void {
    this.#abort = abort;
    this.#sentAt = performance.now();
    this.#attempt.stage = 'processing';
  }

  /** Called once the request (with its body) has been written; undici's core calls it, its types omit it. */
  onRequestSent(): void {
    this.#sentAt = performance.now();
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    if (statusCode < 200) return true; // 1xx (e.g. 103 Early Hints): the real response follows
    this.#headersAt = performance.now();
    this.#attempt.add('processingMs', this.#headersAt - this.#sentAt);
    this.#attempt.stage = 'transfer';
    this.status = statusCode;
    this.rawHeaders = rawHeaders;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.bodyBytes += chunk.length;
    if (this.bodyBytes > this.#options.maxBodySize) {
      const err = new ProbeFailure(
        FAILURE_REASONS.body_too_large,
        `response body exceeded ${this.#options.maxBodySize} bytes; connection dropped`,
      );
      this.fail(err);
      // undici's abort destroys the socket: the rest of the body is never read.
      this.#abort?.(err);
      return false;
    }
    this.#chunks?.push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.#settled) return;
    if (!this.#decompress()) return;
    this.#attempt.add('transferMs', performance.now() - this.#headersAt);
    this.#attempt.stage = 'done';
    this.#settled = true;
    this.#release();
  }

  onError(err: Error): void {
    this.fail(err);
  }

  /** Ends the exchange with an error (first one wins); the transfer so far still counts. */
  fail(err: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    this.error = err;
    if (this.#headersAt > 0) this.#attempt.add('transferMs', performance.now() - this.#headersAt);
    this.#release();
  }

  /**
   * Replaces the kept body with its decompressed bytes, as `compression` says: blindly, as
   * blackbox does (the config says the body is compressed), and capped at `maxBodySize`
   * after decompression. False when it failed, the exchange then failed with the reason.
   */
  #decompress(): boolean {
    const { compression, maxBodySize } = this.#options;
    if (compression === undefined || this.#chunks === undefined) return true;
    try {
      this.#chunks = [DECOMPRESS[compression](Buffer.concat(this.#chunks), { maxOutputLength: maxBodySize })];
      return true;
    } catch (err) {
      const tooLarge = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
      this.fail(
        tooLarge
          ? new ProbeFailure(FAILURE_REASONS.body_too_large, `decompressed body exceeded ${maxBodySize} bytes`)
          : new ProbeFailure(
              FAILURE_REASONS.protocol,
              `the body does not decompress as ${compression}: ${(err as Error).message}`,
            ),
      );
      return false;
    }
  }

  /** The body as text, when kept. */
  body(): string | undefined {
    const chunks = this.#chunks;
    if (chunks === undefined) return undefined;
    return chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8');
  }

  /** The `Location` header of the response, if any. */
  location(): string | undefined {
    const raw = this.rawHeaders;
    if (raw === undefined) return undefined;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i] as Buffer;
      if (name.length === 8 && name.toString('latin1').toLowerCase() === 'location')
        return (raw[i + 1] as Buffer).toString('latin1');
    }
    return undefined;
  }

  /** Response headers, names lower-cased, repeated headers joined by `, `. */
  headers(): Record<string, string> {
    const out: Record<string, string> = {};
    const raw = this.rawHeaders;
    if (raw === undefined) return out;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = (raw[i] as Buffer).toString('latin1').toLowerCase();
      if (name === '__proto__') continue;
      const value = (raw[i + 1] as Buffer).toString('latin1');
      out[name] = Object.hasOwn(out, name) ? `${out[name]}, ${value}` : value;
    }
    return out;
  }
}
