import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Toxic } from './toxic-set.js';
import type { Chunk, Direction, Next, ToxicContext, ToxicRun } from './toxics/types.js';

/** Reading pauses above this many queued bytes and resumes below a quarter of it. */
const HIGH_WATER = 1024 * 1024;

/** What a pipe needs from its connection. */
export interface PipeOptions {
  direction: Direction;
  source: Socket;
  dest: Socket;
  /** Aborts when the connection is torn down: the pipe stops at once, without an end. */
  signal: AbortSignal;
  /** The proxy's current toxics of this direction, in order. */
  toxics: () => Toxic[];
  /** The context a toxic gets on this direction. */
  context: (toxic: Toxic) => ToxicContext;
  /** Bytes written to `dest`. */
  onBytes: (n: number) => void;
}

/**
 * One direction of a connection: reads chunks from `source`, runs each through the toxics
 * in place at that moment, writes the result to `dest`, and passes the end on. Toxics
 * added while the connection is open apply to the next chunk; each is started (and its
 * toxicity rolled) once per connection, when this pipe first sees it.
 */
export class Pipe {
  readonly #runs = new Map<Toxic, ToxicRun | undefined>();
  readonly #queue: Chunk[] = [];
  #queuedBytes = 0;
  #ended = false;
  #wake: (() => void) | undefined;
  readonly #options: PipeOptions;

  constructor(options: PipeOptions) {
    this.#options = options;
    const { source, signal } = options;
    source.on('data', (data: Buffer) => this.#enqueue(data));
    // A source closed without an end (destroyed, reset) still ends this direction.
    const end = () => {
      this.#ended = true;
      this.#wake?.();
    };
    source.on('end', end);
    source.on('close', end);
    signal.addEventListener('abort', end, { once: true });
  }

  /** Starts toxics added since the last call and stops removed ones. */
  sync(): void {
    const current = new Set(this.#options.toxics());
    for (const [toxic, run] of this.#runs) {
      if (!current.has(toxic)) {
        run?.dispose?.();
        this.#runs.delete(toxic);
      }
    }
    for (const toxic of current) {
      if (this.#runs.has(toxic)) continue;
      const perRequest = toxic.kind.toxicityPer === 'request';
      const chosen = perRequest || Math.random() < toxic.toxicity;
      this.#runs.set(
        toxic,
        chosen ? toxic.kind.create(toxic.attributes, this.#options.context(toxic), toxic.toxicity) : undefined,
      );
    }
  }

  /** Moves data until the source ends (then ends `dest`) or the connection is torn down. */
  async run(): Promise<void> {
    const { signal, dest } = this.#options;
    for (let chunk = await this.#take(); chunk !== undefined && !signal.aborted; chunk = await this.#take()) {
      const runs = this.#active();
      await this.#step(runs, 0, chunk);
    }
    if (signal.aborted) return;
    const runs = this.#active();
    for (const [i, run] of runs.entries()) {
      await run.end?.((chunk) => this.#step(runs, i + 1, chunk));
      if (signal.aborted) return;
    }
    if (!dest.destroyed) dest.end();
  }

  /** Stops every toxic's timers. */
  dispose(): void {
    for (const run of this.#runs.values()) run?.dispose?.();
    this.#runs.clear();
  }

  #active(): ToxicRun[] {
    this.sync();
    return [...this.#runs.values()].filter((run): run is ToxicRun => run !== undefined);
  }

  #step(runs: readonly ToxicRun[], i: number, chunk: Chunk): Promise<void> {
    if (this.#options.signal.aborted) return Promise.resolve();
    const run = runs[i];
    if (run === undefined) return this.#write(chunk);
    const next: Next = (c) => this.#step(runs, i + 1, c);
    return run.data(chunk, next);
  }

  async #write(chunk: Chunk): Promise<void> {
    const { dest, signal } = this.#options;
    if (dest.destroyed || dest.writableEnded || chunk.data.length === 0) return;
    this.#options.onBytes(chunk.data.length);
    if (!dest.write(chunk.data)) await drained(dest, signal);
  }

  #enqueue(data: Buffer): void {
    this.#queue.push({ data, receivedAt: performance.now() });
    this.#queuedBytes += data.length;
    if (this.#queuedBytes > HIGH_WATER) this.#options.source.pause();
    this.#wake?.();
  }

  async #take(): Promise<Chunk | undefined> {
    for (;;) {
      const chunk = this.#queue.shift();
      if (chunk) {
        this.#queuedBytes -= chunk.data.length;
        if (this.#queuedBytes < HIGH_WATER / 4 && this.#options.source.isPaused()) this.#options.source.resume();
        return chunk;
      }
      if (this.#ended) return undefined;
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
  }
}

/** Resolves when `socket` drains, closes, or the connection is torn down. */
function drained(socket: Socket, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
