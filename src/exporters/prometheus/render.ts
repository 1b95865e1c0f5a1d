import {
  openMetricsContentType,
  prometheusContentType,
  type OpenMetricsContentType,
  type Registry,
  type RegistryContentType,
} from 'prom-client';

/** A rendered exposition, ready to be the body of a `/metrics` response. */
export interface MetricsPayload {
  /** The `Content-Type` header value. */
  contentType: string;
  body: string;
}

/** The two text formats Prometheus scrapes. */
export type ExpositionFormat = 'prometheus' | 'openmetrics';

const OPENMETRICS = 'application/openmetrics-text';

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

/** The part of a prom-client metric object the renderer touches. */
interface NamedMetric {
  name: string;
  type: unknown;
}

/**
 * Renders one registry in either format. The registry is created as OpenMetrics (the
 * only kind prom-client lets exemplar-carrying metrics join) and switched to Prometheus
 * text only for the duration of a render.
 *
 * Renders are serialised because prom-client reads the registry's content type after an
 * await, and because its OpenMetrics path renames counters in place (drops `_total`); the
 * names are put back after each render so the other format and every other reader see
 * the registered name.
 */
export class MetricsRenderer {
  readonly #registry: Registry<RegistryContentType>;
  readonly #counterNames = new WeakMap<object, string>();
  #tail: Promise<unknown> = Promise.resolve();

  constructor(registry: Registry<OpenMetricsContentType>) {
    // Widened: prom-client types a registry by the format it was made with; this one changes format.
    this.#registry = registry;
  }

  /** Renders in the format `accept` asks for (an Accept header or a content type). */
  render(accept?: string): Promise<MetricsPayload> {
    const format = negotiateFormat(accept);
    const next = this.#tail.then(() => this.#renderNow(format));
    this.#tail = next.catch(() => undefined);
    return next;
  }

  async #renderNow(format: ExpositionFormat): Promise<MetricsPayload> {
    const contentType = format === 'openmetrics' ? openMetricsContentType : prometheusContentType;
    const counters = this.#counters();
    this.#registry.setContentType(contentType);
    try {
      return { contentType, body: await this.#registry.metrics() };
    } finally {
      for (const [metric, name] of counters) metric.name = name;
      this.#registry.setContentType(openMetricsContentType);
    }
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
