/**
 * The probe for each check kind, looked up by `kind` (blackbox_exporter's prober map).
 * Here a new kind is its probe file and one line in `createProbeRegistry`; the config
 * schema, assertions and exporters need their part too: see the checklist for a new
 * probe kind in docs/architecture.md.
 */
import type { ResolvedCheck } from '../config/types.js';
import { CanaryError, ERROR_CODES } from '../errors.js';
import { createBrowserProbe, type BrowserProbeOptions } from './browser.js';
import { createDnsProbe } from './dns.js';
import { createFlowProbe } from './flow.js';
import { createGrpcProbe } from './grpc.js';
import { createHttpProbe } from './http.js';
import { createIcmpProbe } from './icmp.js';
import { createTcpProbe } from './tcp.js';
import { createTlsProbe } from './tls.js';
import { createUnixProbe } from './unix.js';
import type { Probe } from './types.js';
import { createWebsocketProbe } from './websocket.js';

/** Probes by kind. One registry per agent; `close` releases their pooled connections. */
export class ProbeRegistry {
  readonly #probes = new Map<string, Probe>();

  /** Adds (or replaces) the probe for its kind. */
  register<C extends ResolvedCheck>(probe: Probe<C>): this {
    this.#probes.set(probe.kind, probe);
    return this;
  }

  /**
   * The probe for `kind`. Throws CANARY_ERR_INTERNAL for a kind nothing registered: config
   * validation knows the kinds, so reaching this is a bug.
   */
  get(kind: string): Probe {
    const probe = this.#probes.get(kind);
    if (probe === undefined) {
      throw new CanaryError(
        ERROR_CODES.internal,
        `no probe registered for kind "${kind}" (known: ${this.kinds().join(', ') || 'none'})`,
      );
    }
    return probe;
  }

  /** Kinds with a probe, in registration order. */
  kinds(): string[] {
    return [...this.#probes.keys()];
  }

  /** Closes every probe; one failing to close does not stop the others. */
  async close(): Promise<void> {
    const results = await Promise.allSettled(
      [...this.#probes.values()].map((probe) => (probe.close ? probe.close() : Promise.resolve())),
    );
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure !== undefined) {
      throw new CanaryError(ERROR_CODES.internal, 'a probe failed to close', { cause: failure.reason });
    }
  }
}

/** What the probes take from the agent config. */
export interface ProbeOptions {
  /** `probes.browser`: the shared Chromium, its concurrency and failure screenshots. */
  browser?: BrowserProbeOptions;
}

/** A registry with every built-in probe kind. */
export function createProbeRegistry(options: ProbeOptions = {}): ProbeRegistry {
  return new ProbeRegistry()
    .register(createHttpProbe())
    .register(createTcpProbe())
    .register(createTlsProbe())
    .register(createDnsProbe())
    .register(createGrpcProbe())
    .register(createFlowProbe())
    .register(createUnixProbe())
    .register(createWebsocketProbe())
    .register(createIcmpProbe())
    .register(createBrowserProbe(options.browser));
}
