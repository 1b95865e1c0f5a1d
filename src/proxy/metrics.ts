import { Counter, Gauge, Registry } from 'prom-client';
import type { Direction } from './toxics/types.js';

/**
 * The proxy's metrics, in a registry of their own so that a proxy running inside the
 * agent process never mixes its series into the agent's `/metrics`.
 */
export class ProxyMetrics {
  readonly registry = new Registry();
  readonly #connections = new Counter({
    name: 'canary_proxy_connections_total',
    help: 'Client connections accepted by a fault proxy.',
    labelNames: ['proxy'] as const,
    registers: [this.registry],
  });
  readonly #bytes = new Counter({
    name: 'canary_proxy_bytes_total',
    help: 'Bytes passed on by a fault proxy; direction upstream is client to server.',
    labelNames: ['proxy', 'direction'] as const,
    registers: [this.registry],
  });
  readonly #toxics = new Gauge({
    name: 'canary_proxy_toxics',
    help: 'Toxics in place on a fault proxy.',
    labelNames: ['proxy'] as const,
    registers: [this.registry],
  });
  readonly #activations = new Counter({
    name: 'canary_proxy_toxic_activations_total',
    help: 'Times a toxic acted on traffic (a chunk delayed, a request answered, a connection reset, ...).',
    labelNames: ['proxy', 'type'] as const,
    registers: [this.registry],
  });

  connection(proxy: string): void {
    this.#connections.inc({ proxy });
  }

  transferred(proxy: string, direction: Direction, n: number): void {
    this.#bytes.inc({ proxy, direction }, n);
  }

  toxicCount(proxy: string, count: number): void {
    this.#toxics.set({ proxy }, count);
  }

  activation(proxy: string, type: string): void {
    this.#activations.inc({ proxy, type });
  }

  /** A deleted proxy stops reporting a toxic count; its counters stay, as counters do. */
  forget(proxy: string): void {
    this.#toxics.remove({ proxy });
  }

  /** Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
