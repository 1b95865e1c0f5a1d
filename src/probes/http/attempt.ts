/**
 * The mutable record of one probe attempt: phase clocks, the stage it is in, and what
 * to tear down when its signal fires. One object per attempt, shared by the connector
 * (resolve, connect, tls) and the response handler (processing, transfer).
 */
import type { Socket } from 'node:net';
import type { Client } from 'undici';
import type { PhaseTimings } from '../../results/types.js';
import type { AddressVet } from '../types.js';

/** What the attempt is waiting for; named in timeout messages. */
export type Stage = 'token' | 'resolve' | 'connect' | 'tunnel' | 'tls' | 'processing' | 'transfer' | 'done';

const STAGE_WORDS: Record<Stage, string> = {
  token: 'the OAuth2 token request',
  resolve: 'name resolution',
  connect: 'the TCP connect',
  tunnel: "the proxy's answer to CONNECT",
  tls: 'the TLS handshake',
  processing: 'the wait for response headers',
  transfer: 'the response body',
  done: 'the end of the attempt',
};

/** Something the attempt must settle at once when its signal fires. */
export interface Settleable {
  fail(err: Error): void;
}

function noop(): void {}

/** Phase totals in milliseconds; -1 means the phase never happened in this attempt. */
export class Attempt {
  readonly signal: AbortSignal;
  readonly startedAt = performance.now();
  stage: Stage = 'resolve';
  resolveMs = -1;
  connectMs = -1;
  tlsMs = -1;
  processingMs = -1;
  transferMs = -1;
  /** A socket being dialled, not yet handed to undici. */
  dialing: Socket | undefined;
  /** The client carrying the current request. */
  client: Client | undefined;
  /** The pending exchange, settled on abort so `run` returns without waiting for sockets. */
  pending: Settleable | undefined;
  /** Where the attempt was, and after how long, when its signal fired. */
  #abortedDuring: string | undefined;

  /** Asked before each connection (`/probe`'s address policy). */
  readonly vet: AddressVet | undefined;

  constructor(signal: AbortSignal, vet?: AddressVet) {
    this.signal = signal;
    this.vet = vet;
  }

  /** Adds `ms` to a phase total (first use turns "absent" into 0 + ms). */
  add(phase: 'resolveMs' | 'connectMs' | 'tlsMs' | 'processingMs' | 'transferMs', ms: number): void {
    this[phase] = (this[phase] < 0 ? 0 : this[phase]) + ms;
  }

  /** Listens for the abort; `handleEvent` lets the attempt itself be the listener, no closure. */
  watch(): void {
    this.signal.addEventListener('abort', this, { once: true });
  }

  unwatch(): void {
    this.signal.removeEventListener('abort', this);
  }

  /** Abort: settle the pending exchange first, then tear down sockets without waiting. */
  handleEvent(): void {
    this.#abortedDuring = `after ${((performance.now() - this.startedAt) / 1000).toFixed(3)}s during ${STAGE_WORDS[this.stage]}`;
    const err = new Error(`aborted ${this.#abortedDuring}`);
    this.pending?.fail(err);
    this.dialing?.destroy(err);
    this.client?.destroy(err, noop);
  }

  /** Where the abort caught the attempt, e.g. `after 1.002s during the TLS handshake`. */
  abortContext(): string {
    return this.#abortedDuring ?? 'before the attempt started';
  }

  /** Phase totals in seconds, absent phases left out. */
  phases(): PhaseTimings {
    const out: PhaseTimings = {};
    if (this.resolveMs >= 0) out.resolve = this.resolveMs / 1000;
    if (this.connectMs >= 0) out.connect = this.connectMs / 1000;
    if (this.tlsMs >= 0) out.tls = this.tlsMs / 1000;
    if (this.processingMs >= 0) out.processing = this.processingMs / 1000;
    if (this.transferMs >= 0) out.transfer = this.transferMs / 1000;
    return out;
  }
}
