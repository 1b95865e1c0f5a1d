import { ProxyApiError, badRequest } from './api-error.js';
import { ProxyMetrics } from './metrics.js';
import { Proxy, type ProxyJson } from './proxy.js';
import { proxyBodySchema, proxyListSchema, proxyUpdateSchema, type ProxyBody } from './schema.js';

/** Options of a {@link ProxyRegistry}. */
export interface ProxyRegistryOptions {
  /** TTL in ms for toxics that set none; absent: toxics live until removed. */
  defaultToxicTtlMs?: number;
}

/** Every proxy of one fault server, by name: what the REST API and `--config` act on. */
export class ProxyRegistry {
  readonly metrics = new ProxyMetrics();
  readonly #proxies = new Map<string, Proxy>();
  readonly #options: ProxyRegistryOptions;

  constructor(options: ProxyRegistryOptions = {}) {
    this.#options = options;
  }

  list(): Proxy[] {
    return [...this.#proxies.values()];
  }

  get(name: string): Proxy {
    const proxy = this.#proxies.get(name);
    if (!proxy) throw new ProxyApiError(404, 'proxy not found');
    return proxy;
  }

  /** Creates and (when enabled) starts a proxy; 409 when the name is taken. */
  async create(raw: unknown): Promise<Proxy> {
    const parsed = proxyBodySchema.safeParse(raw);
    if (!parsed.success) throw badRequest(parsed.error.issues);
    if (this.#proxies.has(parsed.data.name)) throw new ProxyApiError(409, 'proxy already exists');
    return this.#add(parsed.data);
  }

  /**
   * Creates or updates each proxy of a list (`POST /populate`, `--config`). The list's shape
   * is checked before anything changes. An existing proxy gets the entry's listen, upstream
   * and enabled; its toxics stay (toxics of an entry apply to proxies it creates).
   */
  async populate(raw: unknown): Promise<Proxy[]> {
    const parsed = proxyListSchema.safeParse(raw);
    if (!parsed.success) throw badRequest(parsed.error.issues);
    const result: Proxy[] = [];
    for (const body of parsed.data) {
      const existing = this.#proxies.get(body.name);
      if (existing) {
        await existing.update(body);
        result.push(existing);
      } else {
        result.push(await this.#add(body));
      }
    }
    return result;
  }

  /** Applies `POST /proxies/{name}`. */
  async update(name: string, raw: unknown): Promise<Proxy> {
    const proxy = this.get(name);
    const parsed = proxyUpdateSchema.safeParse(raw);
    if (!parsed.success) throw badRequest(parsed.error.issues);
    await proxy.update(parsed.data);
    return proxy;
  }

  /** Stops a proxy, drops its connections and forgets it. */
  async delete(name: string): Promise<void> {
    const proxy = this.get(name);
    this.#proxies.delete(name);
    proxy.toxics.clear();
    await proxy.stop();
    this.metrics.forget(name);
  }

  /** `POST /reset`: every proxy enabled, every toxic removed. */
  async reset(): Promise<void> {
    for (const proxy of this.#proxies.values()) {
      proxy.toxics.clear();
      await proxy.update({ enabled: true });
    }
  }

  /** Stops every proxy (shutdown). */
  async close(): Promise<void> {
    for (const name of [...this.#proxies.keys()]) await this.delete(name);
  }

  /** Every proxy as `GET /proxies` shows it: an object keyed by name. */
  toJSON(): Record<string, ProxyJson> {
    return Object.fromEntries(this.list().map((p) => [p.name, p.toJSON()]));
  }

  async #add(body: ProxyBody): Promise<Proxy> {
    const proxy = new Proxy({
      name: body.name,
      listen: body.listen,
      upstream: body.upstream,
      metrics: this.metrics,
      defaultTtlMs: this.#options.defaultToxicTtlMs,
    });
    // Toxics are checked before the proxy starts listening, so a bad one leaves nothing behind.
    try {
      for (const toxic of body.toxics) proxy.toxics.add(toxic);
      if (body.enabled) await proxy.start();
    } catch (err) {
      proxy.toxics.clear();
      this.metrics.forget(body.name);
      throw err;
    }
    this.#proxies.set(body.name, proxy);
    return proxy;
  }
}
