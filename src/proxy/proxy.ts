import { createServer, connect, type Server, type Socket } from 'node:net';
import { formatHostPort, parseListen } from '../net/listen.js';
import { ProxyApiError } from './api-error.js';
import { Link } from './link.js';
import type { ProxyMetrics } from './metrics.js';
import { ToxicSet, toxicJson, type ToxicJson } from './toxic-set.js';
import type { Direction } from './toxics/types.js';

/** A proxy as the API shows it (Toxiproxy's shape). */
export interface ProxyJson {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicJson[];
}

/** Options of a {@link Proxy}. */
export interface ProxyOptions {
  name: string;
  /** `HOST:PORT` to listen on; port 0 picks a free port, shown by `listen` once started. */
  listen: string;
  /** `HOST:PORT` to connect each client to. */
  upstream: string;
  metrics: ProxyMetrics;
  /** TTL in ms for toxics that set none; absent: toxics live until removed. */
  defaultTtlMs: number | undefined;
}

/**
 * A TCP proxy that passes each connection through its toxics. While enabled it listens;
 * disabling closes the listener and every open connection, as Toxiproxy does.
 */
export class Proxy {
  readonly name: string;
  readonly toxics: ToxicSet;
  #listenAddress: string;
  #upstreamAddress: string;
  #server: Server | undefined;
  readonly #links = new Set<Link>();
  readonly #options: ProxyOptions;

  constructor(options: ProxyOptions) {
    this.#options = options;
    this.name = options.name;
    this.#listenAddress = options.listen;
    this.#upstreamAddress = options.upstream;
    this.toxics = new ToxicSet({
      defaultTtlMs: options.defaultTtlMs,
      onChange: () => {
        options.metrics.toxicCount(this.name, this.toxics.list().length);
        for (const link of this.#links) link.sync();
      },
    });
    options.metrics.toxicCount(this.name, 0);
  }

  get enabled(): boolean {
    return this.#server !== undefined;
  }

  /** The address it listens on (the real port once started on port 0). */
  get listen(): string {
    return this.#listenAddress;
  }

  get upstream(): string {
    return this.#upstreamAddress;
  }

  /** Starts listening; a listen failure is a 500 with the reason, as in Toxiproxy. */
  async start(): Promise<void> {
    if (this.#server) return;
    const { host, port } = parseListen(this.#listenAddress);
    const server = createServer({ allowHalfOpen: true }, (client) => this.#accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new ProxyApiError(500, `listen ${this.#listenAddress}: ${err.message}`)));
      server.listen({ host, port }, resolve);
    });
    const address = server.address();
    if (address !== null && typeof address === 'object')
      this.#listenAddress = formatHostPort(address.address, address.port);
    this.#server = server;
  }

  /** Stops listening and drops every connection. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const link of this.#links) link.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Applies `POST /proxies/{name}`: a new address or upstream restarts the listener. */
  async update(change: { listen?: string; upstream?: string; enabled?: boolean }): Promise<void> {
    const moved =
      (change.listen !== undefined && change.listen !== this.#listenAddress) ||
      (change.upstream !== undefined && change.upstream !== this.#upstreamAddress);
    const enabled = change.enabled ?? this.enabled;
    if (moved || !enabled) await this.stop();
    this.#listenAddress = change.listen ?? this.#listenAddress;
    this.#upstreamAddress = change.upstream ?? this.#upstreamAddress;
    if (enabled) await this.start();
  }

  toJSON(): ProxyJson {
    return {
      name: this.name,
      listen: this.#listenAddress,
      upstream: this.#upstreamAddress,
      enabled: this.enabled,
      toxics: this.toxics.list().map(toxicJson),
    };
  }

  #accept(client: Socket): void {
    const { metrics } = this.#options;
    metrics.connection(this.name);
    const { host, port } = parseListen(this.#upstreamAddress);
    const upstream = connect({ host: host ?? '127.0.0.1', port, allowHalfOpen: true });
    const link = new Link(
      {
        toxics: (stream: Direction) => this.toxics.list(stream),
        onBytes: (direction, n) => metrics.transferred(this.name, direction, n),
        onActivation: (type) => metrics.activation(this.name, type),
      },
      client,
      upstream,
    );
    this.#links.add(link);
    void link.done.finally(() => this.#links.delete(link));
  }
}
