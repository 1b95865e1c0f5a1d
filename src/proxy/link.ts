import type { Socket } from 'node:net';
import { Pipe } from './pipe.js';
import type { Toxic } from './toxic-set.js';
import type { Direction, ToxicContext } from './toxics/types.js';

/** After a close, a peer that never closes its side is cut off after this long. */
const CLOSE_GRACE_MS = 1_000;

/** What a connection needs from its proxy. */
export interface LinkOwner {
  toxics(stream: Direction): Toxic[];
  onBytes(direction: Direction, n: number): void;
  onActivation(type: string): void;
}

/**
 * One proxied connection: the client socket, the upstream socket and a {@link Pipe} each
 * way. FINs travel through the pipes (half-close is kept); an error on either socket
 * tears both down.
 */
export class Link {
  /** Resolves when both directions are done and both sockets are being closed. */
  readonly done: Promise<void>;
  readonly #abort = new AbortController();
  readonly #pipes: Record<Direction, Pipe>;
  readonly #owner: LinkOwner;
  readonly #client: Socket;
  readonly #upstream: Socket;

  constructor(owner: LinkOwner, client: Socket, upstream: Socket) {
    this.#owner = owner;
    this.#client = client;
    this.#upstream = upstream;
    this.#pipes = {
      upstream: this.#pipe('upstream', client, upstream),
      downstream: this.#pipe('downstream', upstream, client),
    };
    for (const socket of [client, upstream]) {
      socket.on('error', () => this.destroy());
    }
    this.#pipes.upstream.sync();
    this.#pipes.downstream.sync();
    // A throwing toxic is a bug; it must cost one connection, never the proxy.
    this.done = Promise.all([this.#pipes.upstream.run(), this.#pipes.downstream.run()])
      .catch(() => this.destroy())
      .then(() => this.#finish());
  }

  /** Picks up added, changed and removed toxics. */
  sync(): void {
    this.#pipes.upstream.sync();
    this.#pipes.downstream.sync();
  }

  /** Tears both sockets down now (proxy disabled or deleted, socket error). */
  destroy(): void {
    this.#abort.abort();
    this.#client.destroy();
    this.#upstream.destroy();
  }

  #pipe(direction: Direction, source: Socket, dest: Socket): Pipe {
    return new Pipe({
      direction,
      source,
      dest,
      signal: this.#abort.signal,
      toxics: () => this.#owner.toxics(direction),
      context: (toxic) => this.#context(direction, toxic, source, dest),
      onBytes: (n) => this.#owner.onBytes(direction, n),
    });
  }

  #context(direction: Direction, toxic: Toxic, source: Socket, dest: Socket): ToxicContext {
    return {
      direction,
      signal: this.#abort.signal,
      close: () => this.#abort.abort(),
      reset: () => {
        this.#abort.abort();
        // A socket still connecting has no TCP state to reset.
        if (!dest.destroyed && !dest.connecting) dest.resetAndDestroy();
        else dest.destroy();
        source.destroy();
      },
      answer: (data) => {
        this.#abort.abort();
        source.end(data);
        dest.destroy();
      },
      activated: () => this.#owner.onActivation(toxic.type),
    };
  }

  /** Both directions are done: close what is still open, with a bound on waiting for peers. */
  #finish(): void {
    this.#pipes.upstream.dispose();
    this.#pipes.downstream.dispose();
    for (const socket of [this.#client, this.#upstream]) {
      if (socket.destroyed) continue;
      socket.end();
      const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
    }
  }
}
