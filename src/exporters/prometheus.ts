import { collectDefaultMetrics, openMetricsContentType, Registry, type Histogram, type OpenMetricsContentType } from 'prom-client';
import { CHECK_KINDS } from '../config/schema/check.js';
import type { EventBus } from '../results/bus.js';
import type { CheckResult } from '../results/types.js';
import { createChaosMetrics, createSinkMetrics, createTracingMetrics, type SinkMetrics } from './prometheus/metrics.js';
import { MetricsRenderer, type MetricsPayload } from './prometheus/render.js';
import { CheckSeries } from './prometheus/series.js';
import { setCheckInfo } from './prometheus/check-info.js';
import { SloGauges } from './prometheus/slo.js';

export type { MetricsPayload } from './prometheus/render.js';
export { negotiateFormat } from './prometheus/render.js';

/** A configured check, as the sink needs to know it. */
export interface CheckRef {
  name: string;
  kind: string;
  /** Shown on `canary_check_info`. */
  target?: string;
  /** The check's own labels, shown on `canary_check_info`. */
  labels?: Readonly<Record<string, string>>;
  /** A disabled check has no SLO series. */
  enabled?: boolean;
  /** Its objective (ratio) and window (ms), shown on `canary_slo_*`. */
  slo?: { objective: number; window: number };
}

/** Options of {@link PrometheusSink}. */
export interface PrometheusSinkOptions {
  /** The result bus to subscribe to. */
  bus: EventBus;
  /** The agent's region: a label on every series. */
  region: string;
  /** `agent.labels` from the config: labels on every series. */
  agentLabels: Readonly<Record<string, string>>;
  /** The agent's version, on `canary_agent_info`. */
  version: string;
  /** `agent.datacenter`, on `canary_agent_info` when set. */
  datacenter?: string;
  /** The configured checks, counted in `canary_checks{kind}`. */
  checks: readonly CheckRef[];
  /** Tracing is on: export the span counters. */
  tracing?: boolean;
  /** Chaos metrics, with how to tell whether chaos is halted. */
  chaos?: { halted: () => boolean };
}

/**
 * Node default metrics whose `_total` gauges trip `promtool check metrics` ("non-counter
 * metrics should not have _total suffix"); the same numbers remain, split by type, in
 * the metric of the same name without `_total`.
 */
const LINT_FAILING_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];
const PREFIX = 'canary_';

/**
 * Keeps the agent's Prometheus metrics up to date from the result bus, in a registry of
 * its own (never prom-client's global one, so two agents in one process, as in tests, do
 * not share series).
 *
 * The sink is built once a configuration has loaded, so it starts with
 * `canary_config_last_reload_successful` at 1.
 *
 * @example
 * const sink = new PrometheusSink({ bus, region: 'eu-west-1', agentLabels: {}, version: '0.1.0', checks });
 * const { contentType, body } = await sink.metrics(req.headers.accept);
 */
export class PrometheusSink {
  /** The sink's registry; later features may add their own metrics to it. */
  readonly registry: Registry<OpenMetricsContentType>;
  readonly #m: SinkMetrics;
  readonly #renderer: MetricsRenderer;
  readonly #series = new Map<string, CheckSeries>();
  /**
   * The kind of every check that runs now. A run in flight when its check was removed
   * still ends with a result; recording it would bring the removed check's series back.
   */
  readonly #running = new Map<string, string>();
  /** Series with a result not yet written into the gauges. */
  readonly #pending = new Set<CheckSeries>();
  readonly #lag = new Map<string, Histogram.Internal<'kind'>>();
  readonly #unsubscribe: (() => void)[];
  readonly #slo: SloGauges;

  constructor(options: PrometheusSinkOptions) {
    // Made OpenMetrics before anything registers (prom-client's typings lack the
    // constructor argument); see MetricsRenderer for why.
    this.registry = new Registry<OpenMetricsContentType>();
    this.registry.setContentType(openMetricsContentType);
    this.registry.setDefaultLabels({ region: options.region, ...options.agentLabels });
    collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
    for (const name of LINT_FAILING_DEFAULTS) this.registry.removeSingleMetric(PREFIX + name);
    this.#m = createSinkMetrics(this.registry, () => this.#flush());
    this.#renderer = new MetricsRenderer(this.registry);
    const { version, datacenter } = options;
    this.#m.agentInfo.set(datacenter ? { version, datacenter } : { version }, 1);
    this.#slo = new SloGauges(this.registry);
    this.setChecks(options.checks);
    this.setReloadResult(true);
    const bus = options.bus;
    this.#unsubscribe = [
      bus.on('result', (result) => this.#record(result)),
      bus.on('result.attempt', (result) => this.#runningSeries(result.check, result.kind)?.attempts.record(result)),
      bus.on('scheduler.lag', ({ kind, seconds }) => this.#lagFor(kind).observe(seconds)),
      bus.on('scheduler.skipped', ({ check, kind }) => this.#runningSeries(check, kind)?.skipped()),
    ];
    if (options.chaos) {
      const chaos = createChaosMetrics(this.registry, options.chaos.halted);
      this.#unsubscribe.push(
        bus.on('chaos.run.start', ({ experiment }) => chaos.active.set({ experiment }, 1)),
        bus.on('chaos.run.end', ({ experiment, status }) => {
          chaos.active.set({ experiment }, 0);
          chaos.runs.inc({ experiment, status });
        }),
      );
    }
    if (options.tracing) {
      const tracing = createTracingMetrics(this.registry);
      this.#unsubscribe.push(
        bus.on('otel.exported', ({ spans }) => tracing.exported.inc(spans)),
        bus.on('otel.dropped', ({ spans, reason }) => tracing.dropped.inc({ reason }, spans)),
      );
    }
  }

  /**
   * The exposition, in the format `accept` (an `Accept` header or a content type) asks
   * for: Prometheus text 0.0.4 by default, OpenMetrics 1.0.0 when asked.
   */
  metrics(accept?: string): Promise<MetricsPayload> {
    return this.#renderer.render(accept);
  }

  /** Records the outcome of a configuration (re)load; a success also stamps its time. */
  setReloadResult(ok: boolean): void {
    this.#m.reloadSuccessful.set(ok ? 1 : 0);
    if (ok) this.#m.reloadTimestamp.set(Date.now() / 1000);
  }

  /**
   * Sets the configured checks (at start and after a reload): recounts `canary_checks`
   * and deletes the series of checks that are gone, so they do not linger at their last value.
   */
  setChecks(checks: readonly CheckRef[]): void {
    const counts = new Map<string, number>(CHECK_KINDS.map((kind) => [kind, 0]));
    for (const { kind } of checks) counts.set(kind, (counts.get(kind) ?? 0) + 1);
    this.#m.checks.reset();
    for (const [kind, count] of counts) this.#m.checks.set({ kind }, count);
    setCheckInfo(this.registry, checks);
    this.#slo.set(checks);
    const configured = new Map(checks.map((c) => [c.name, c.kind]));
    for (const [name, series] of this.#series) {
      if (configured.get(name) !== series.kind) this.#dropSeries(name);
    }
    this.#running.clear();
    for (const check of checks) if (check.enabled !== false) this.#running.set(check.name, check.kind);
  }

  /**
   * Deletes every series of one check (it was removed, disabled or changed kind on reload);
   * its results are ignored until a `setChecks` lists it as enabled again.
   */
  removeCheck(name: string): void {
    this.#running.delete(name);
    this.#dropSeries(name);
  }

  #dropSeries(name: string): void {
    const series = this.#series.get(name);
    if (!series) return;
    this.#pending.delete(series);
    series.remove();
    this.#series.delete(name);
  }

  /** Unsubscribes from the bus; the registry keeps its last values. */
  close(): void {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe.length = 0;
  }

  #record(result: CheckResult): void {
    const series = this.#runningSeries(result.check, result.kind);
    if (!series) return;
    series.record(result);
    this.#pending.add(series);
  }

  /** The series of a check that runs now as `kind`; none for a removed or disabled one. */
  #runningSeries(check: string, kind: string): CheckSeries | undefined {
    return this.#running.get(check) === kind ? this.#seriesFor(check, kind) : undefined;
  }

  /**
   * Writes pending results into the gauges. Every per-check gauge calls this when read;
   * the first call of a scrape does the work, the others find nothing pending.
   */
  #flush(): void {
    for (const series of this.#pending) series.flush();
    this.#pending.clear();
  }

  #seriesFor(check: string, kind: string): CheckSeries {
    let series = this.#series.get(check);
    if (series?.kind !== kind) {
      if (series) this.#dropSeries(check);
      series = new CheckSeries(this.#m, check, kind);
      this.#series.set(check, series);
    }
    return series;
  }

  #lagFor(kind: string): Histogram.Internal<'kind'> {
    let child = this.#lag.get(kind);
    if (!child) {
      child = this.#m.schedulerLag.labels({ kind });
      this.#lag.set(kind, child);
    }
    return child;
  }
}
