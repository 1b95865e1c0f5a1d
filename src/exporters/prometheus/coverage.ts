import { Gauge, type OpenMetricsContentType, type Registry } from 'prom-client';

/** One OpenAPI spec's coverage; `ratio` undefined when the spec could not be loaded. */
export interface SpecCoverage {
  /** The spec path as written in `probes.openapi`. */
  spec: string;
  ratio: number | undefined;
}

/**
 * `canary_endpoint_coverage_ratio{spec}`: the share of a spec's operations some enabled
 * check probes. A spec that failed to load has no series (absent, not a false 0).
 */
export class CoverageGauge {
  readonly #gauge: Gauge<'spec'>;

  constructor(registry: Registry<OpenMetricsContentType>) {
    this.#gauge = new Gauge({
      name: 'canary_endpoint_coverage_ratio',
      help: "Share (0-1) of an OpenAPI spec's operations that an enabled check probes.",
      labelNames: ['spec'],
      registers: [registry],
    });
  }

  /** Replaces every series with these. */
  set(specs: readonly SpecCoverage[]): void {
    this.#gauge.reset();
    for (const { spec, ratio } of specs) if (ratio !== undefined) this.#gauge.set({ spec }, ratio);
  }
}
