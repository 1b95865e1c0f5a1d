/**
 * The record of one socket-level attempt (tcp, tls, dns, grpc, websocket): phase clocks, the stage it
 * is in for timeout messages, and the socket to tear down when its signal fires.
 */
import type { Socket } from 'node:net';
import { FAILURE_REASONS } from '../../results/reasons.js';
import type { Observation, PhaseTimings } from '../../results/types.js';
import { classifyError, type Failure } from '../http/classify.js';
import type { AddressVet } from '../types.js';

/** Phases a socket probe times; named as blackbox_exporter names them. */
export type SocketPhase = 'resolve' | 'connect' | 'tls';

/** What the attempt is waiting for, in words for timeout messages. */
export type SocketStage =
  | 'name resolution'
  | 'the TCP connect'
  | 'the socket connect'
  | 'the TLS handshake'
  | 'the WebSocket upgrade'
  | 'the conversation'
  | 'the answer'
  | 'the close';

function noop(): void {}

/** One attempt: create it at the start of `run`, `watch()`, and `unwatch()` in `finally`. */
export class SocketAttempt {
  readonly signal: AbortSignal;
  readonly startedAt = performance.now();
  stage: SocketStage = 'name resolution';
  readonly phases: PhaseTimings = {};
  /** Sockets to destroy on abort; a probe adds each it opens. */
  readonly #sockets = new Set<Socket>();
  /** Called on abort, e.g. to cancel a gRPC call. */
  onAbort: () => void = noop;
  #abortedDuring: string | undefined;

  /** Asked before the connection (`/probe`'s address policy). */
  readonly vet: AddressVet | undefined;

  constructor(signal: AbortSignal, vet?: AddressVet) {
    this.signal = signal;
    this.vet = vet;
  }

  /** Adds `ms` to a phase (seconds in the result). */
  add(phase: SocketPhase, ms: number): void {
    this.phases[phase] = (this.phases[phase] ?? 0) + ms / 1000;
  }

  /** Keeps `socket` so an abort destroys it; its late errors are swallowed (they are reported through the attempt). */
  own<S extends Socket>(socket: S): S {
    this.#sockets.add(socket);
    socket.on('error', noop);
    socket.once('close', () => this.#sockets.delete(socket));
    return socket;
  }

  /**
   * Replaces `plain` by `secure`, the TLS socket now driving its handle (STARTTLS): only
   * `secure` may be destroyed from here on, as destroying the plain socket under a live
   * TLS session crashes node (SIGSEGV, seen on node 20).
   */
  handOver<S extends Socket>(plain: Socket, secure: S): S {
    this.#sockets.delete(plain);
    return this.own(secure);
  }

  watch(): void {
    this.signal.addEventListener('abort', this, { once: true });
  }

  unwatch(): void {
    this.signal.removeEventListener('abort', this);
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  /** Abort: note where the attempt was, then tear everything down without waiting. */
  handleEvent(): void {
    this.#abortedDuring = `after ${((performance.now() - this.startedAt) / 1000).toFixed(3)}s during ${this.stage}`;
    const err = new Error(`aborted ${this.#abortedDuring}`);
    for (const socket of this.#sockets) socket.destroy(err);
    this.onAbort();
  }

  /** Classifies an error of this attempt; an abort is described by where it caught the attempt. */
  failure(err: unknown): Failure {
    const failure = classifyError(err, this.signal);
    if (this.signal.aborted)
      failure.message = `${failure.message} ${this.#abortedDuring ?? 'before the attempt started'}`;
    return failure;
  }

  /** The observation so far: ok, with duration and phases. */
  observe(): Observation {
    return { ok: true, durationSeconds: (performance.now() - this.startedAt) / 1000, phases: { ...this.phases } };
  }

  /** A failed observation from an error (or a ready Failure), facts to be added by the caller. */
  fail(err: unknown): Observation {
    const failure = isFailure(err) ? err : this.failure(err);
    return {
      ...this.observe(),
      ok: false,
      reason: failure.reason ?? FAILURE_REASONS.unknown,
      message: failure.message,
    };
  }
}

function isFailure(value: unknown): value is Failure {
  return (
    typeof value === 'object' && value !== null && !(value instanceof Error) && 'reason' in value && 'message' in value
  );
}
