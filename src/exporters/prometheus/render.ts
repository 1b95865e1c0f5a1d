/**
 * The `/metrics` exposition: the agent's own metrics from its prom-client registry, then
 * every check's series from the {@link CheckExposition}, in Prometheus text 0.0.4 or
 * OpenMetrics 1.0.0, gzipped when the scraper accepts it. Scrapes that arrive while the
 * same format is being rendered wait for that render and share its bytes.
 */
import {
  openMetricsContentType,
  prometheusContentType,
  type OpenMetricsContentType,
  type Registry,
  type RegistryContentType,
} from 'prom-client';
import type { CheckExposition } from './check-exposition.js';

/** A rendered exposition as text, for callers that read it (tests, `canary` commands). */
export interface MetricsPayload {
  /** The `Content-Type` header value. */
  contentType: string;
  body: string;
}

/** A rendered exposition ready to be a `/metrics` response body. */
export interface Exposition {
  contentType: string;
  /** `gzip` when the chunks are compressed. */
  encoding: 'gzip' | 'identity';
  chunks: readonly Uint8Array[];
  /** Bytes of the chunks. */
  bytes: number;
}

/** The two text formats Prometheus scrapes. */
export type ExpositionFormat = 'prometheus' | 'openmetrics';

const OPENMETRICS = 'application/openmetrics-text';
const EOF = '# EOF\n';

/**
 * Picks the format from an `Accept` header (or a bare content type): OpenMetrics when it
 * is asked for at least as strongly as anything else, Prometheus text 0.0.4 otherwise.
 * Prometheus itself sends `application/openmetrics-text;version=1.0.0,...,text/plain;q=0.5`.
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (!accept) return 'prometheus';
  let openMetricsQ = 0;
  let otherQ = 0;
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2)) || 0;
    if (type === OPENMETRICS) openMetricsQ = Math.max(openMetricsQ, q);
    else otherQ = Math.max(otherQ, q);
  }
  return openMetricsQ > 0 && openMetricsQ >= otherQ ? 'openmetrics' : 'prometheus';
}

/** Whether an `Accept-Encoding` header accepts gzip. */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  return /\bgzip\b(?!\s*;\s*q=0(?:\.0*)?\s*(?:,|$))/i.test(acceptEncoding ?? '');
}

/** The part of a prom-client metric object the renderer touches. */
interface NamedMetric {
  name: string;
  type: unknown;
}

/**
 * Renders the registry and the checks. The registry is created as OpenMetrics (the only
 * kind prom-client lets exemplar-carrying metrics join) and switched to Prometheus text
 * only while its part renders. Registry renders are serialised because prom-client reads
 * the content type after an await, and its OpenMetrics path renames counters in place
 * (drops `_total`); the names are put back after each render.
 */
export class MetricsRenderer {
  readonly #registry: Registry<RegistryContentType>;
  readonly #checks: CheckExposition;
  readonly #counterNames = new WeakMap<object, string>();
  readonly #shared = new Map<string, Promise<Exposition>>();
  #tail: Promise<unknown> = Promise.resolve();

  constructor(registry: Registry<OpenMetricsContentType>, checks: CheckExposition) {
    // Widened: prom-client types a registry by the format it was made with; this one changes format.
    this.#registry = registry;
    this.#checks = checks;
  }

  /**
   * The exposition for an `Accept` and an `Accept-Encoding` header. A scrape that finds
   * the same format and encoding being rendered gets that render.
   */
  render(accept?: string, acceptEncoding?: string): Promise<Exposition> {
    const format = negotiateFormat(accept);
    const gzip = acceptsGzip(acceptEncoding);
    const key = `${format} ${gzip ? 'gzip' : 'identity'}`;
    let shared = this.#shared.get(key);
    if (shared === undefined) {
      shared = this.#renderNow(format, gzip).finally(() => this.#shared.delete(key));
      this.#shared.set(key, shared);
    }
    return shared;
  }

  /** The exposition as text, uncompressed. */
  async text(accept?: string): Promise<MetricsPayload> {
    const { contentType, chunks } = await this.render(accept);
    return { contentType, body: Buffer.concat(chunks).toString('utf8') };
  }

  async #renderNow(format: ExpositionFormat, gzip: boolean): Promise<Exposition> {
    const openMetrics = format === 'openmetrics';
    const contentType = openMetrics ? openMetricsContentType : prometheusContentType;
    let own = await this.#registryText(contentType);
    if (openMetrics && own.endsWith(EOF)) own = own.slice(0, -EOF.length);
    else if (!own.endsWith('\n')) own += '\n';
    const { chunks, bytes } = await this.#checks.exposition(Buffer.from(own), openMetrics, gzip);
    return { contentType, encoding: gzip ? 'gzip' : 'identity', chunks, bytes };
  }

  #registryText(contentType: string): Promise<string> {
    const next = this.#tail.then(async () => {
      const counters = this.#counters();
      this.#registry.setContentType(contentType as RegistryContentType);
      try {
        return await this.#registry.metrics();
      } finally {
        for (const [metric, name] of counters) metric.name = name;
        this.#registry.setContentType(openMetricsContentType);
      }
    });
    this.#tail = next.catch(() => undefined);
    return next;
  }

  /** Every counter with its registered name; a counter seen for the first time was never renamed. */
  #counters(): [NamedMetric, string][] {
    const out: [NamedMetric, string][] = [];
    for (const metric of this.#registry.getMetricsAsArray() as unknown as NamedMetric[]) {
      if (metric.type !== 'counter') continue;
      let name = this.#counterNames.get(metric);
      if (name === undefined) {
        name = metric.name;
        this.#counterNames.set(metric, name);
      }
      out.push([metric, name]);
    }
    return out;
  }
}
