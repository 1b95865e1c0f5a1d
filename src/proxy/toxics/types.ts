import type { z } from 'zod';

/**
 * How toxics are built: a toxic is an async step in a chunk pipeline. Each connection has
 * two pipelines (one per direction); each chunk read from the source socket goes through
 * the toxics of that direction in order, and the last step writes it to the destination.
 * A step passes data on by awaiting `next` zero or more times (dropping, delaying, splitting),
 * and the pipeline reads nothing new until the current chunk is through, so a slow toxic
 * slows the sender down the way a slow link does (TCP backpressure).
 */

/** Which way data flows: `upstream` is client to server, `downstream` server to client. */
export type Direction = 'upstream' | 'downstream';

/** One piece of data read from a socket. */
export interface Chunk {
  data: Buffer;
  /** `performance.now()` when it was read: latency counts from arrival, not from its turn. */
  receivedAt: number;
}

/** Passes a chunk to the next step; resolves once the destination took it. */
export type Next = (chunk: Chunk) => Promise<void>;

/** What a toxic may do to the connection it runs on. */
export interface ToxicContext {
  readonly direction: Direction;
  /** Aborts when the connection closes; every wait must honour it. */
  readonly signal: AbortSignal;
  /** Flushes what was written, then closes both sides with a FIN. */
  close(): void;
  /** Sends a TCP RST to the peer this direction writes to and drops the other side. */
  reset(): void;
  /** Writes bytes back to the sender of this direction (an injected HTTP answer), then closes. */
  answer(data: Buffer): void;
  /** Counts one activation for `canary_proxy_toxic_activations_total`. */
  activated(): void;
}

/** A toxic running on one direction of one connection. */
export interface ToxicRun {
  /** Handles one chunk; call `next` to pass data on. */
  data(chunk: Chunk, next: Next): Promise<void>;
  /**
   * The source ended; may still pass held-back data on, and resolves when the end may go
   * on (`slow_close` waits here).
   */
  end?(next: Next): Promise<void>;
  /** The toxic was removed or the connection closed: stop timers. */
  dispose?(): void;
}

/** What one toxic file declares; {@link defineToxic} turns it into a {@link ToxicKind}. */
export interface ToxicSpec<S extends z.ZodType<Record<string, unknown>>> {
  readonly type: string;
  /** The attributes' schema; their defaults live here and nowhere else. */
  readonly attributes: S;
  /**
   * `connection` (the default, as Toxiproxy): `toxicity` is rolled once per connection.
   * `request`: the toxic runs on every connection and rolls `toxicity` per HTTP request.
   */
  readonly toxicityPer?: 'connection' | 'request';
  /** Starts the toxic on one direction of one connection. */
  create(attributes: z.output<S>, context: ToxicContext, toxicity: number): ToxicRun;
}

/** One kind of toxic (`latency`, `bandwidth`, ...), as the registry holds it. */
export interface ToxicKind {
  readonly type: string;
  readonly attributes: z.ZodType<Record<string, unknown>>;
  readonly toxicityPer: 'connection' | 'request';
  create(attributes: Record<string, unknown>, context: ToxicContext, toxicity: number): ToxicRun;
}

/** Declares a toxic kind; attributes reaching `create` have passed its schema. */
export function defineToxic<S extends z.ZodType<Record<string, unknown>>>(spec: ToxicSpec<S>): ToxicKind {
  return {
    type: spec.type,
    attributes: spec.attributes,
    toxicityPer: spec.toxicityPer ?? 'connection',
    create: (attributes, context, toxicity) => spec.create(attributes as z.output<S>, context, toxicity),
  };
}

/** A pass-through step, for toxics that act only on timers or at the end. */
export const passThrough = (chunk: Chunk, next: Next): Promise<void> => next(chunk);
