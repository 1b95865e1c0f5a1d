import {
  collectDefaultMetrics,
  openMetricsContentType,
  Registry,
  type Histogram,
  type OpenMetricsContentType,
} from 'prom-client';
import { CHECK_KINDS } from '../config/schema/check.js';
import type { Logger } from '../log.js';
import type { EventBus } from '../results/bus.js';
import { CheckExposition, type ExposedCheck, type RenderStats } from './prometheus/check-exposition.js';
import {
  createAgentMetrics,
  createChaosMetrics,
  createTracingMetrics,
  type AgentMetrics,
} from './prometheus/metrics.js';
import { MetricsRenderer, type Exposition, type MetricsPayload } from './prometheus/render.js';
import type { MetricsLevel } from './prometheus/vocabulary.js';
import { labelPairs } from './prometheus/writer.js';

export type { Exposition, MetricsPayload } from './prometheus/render.js';
export { negotiateFormat } from './prometheus/render.js';

/** A configured check, as the sink needs to know it: its info and SLO series, its metrics level. */
export type CheckRef = ExposedCheck;

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
  /**
   * `exporters.prometheus.metrics`: what checks without a `metrics:` of their own export.
   * @defaultValue `'full'`
   */
  level?: MetricsLevel;
  /** Tracing is on: export the span counters. */
  tracing?: boolean;
  /** Chaos metrics, with how to tell whether chaos is halted. */
  chaos?: { halted: () => boolean };
  /**
   * `exporters.prometheus.renderThread`: render the per-check series on a thread of their own.
   * @defaultValue `false`
   */
  renderThread?: boolean;
  /** For what the sink has to say (its render thread failing). */
  logger?: Logger;
}

/**
 * Node default metrics whose `_total` gauges trip `promtool check metrics` ("non-counter
 * metrics should not have _total suffix"); the same numbers remain, split by type, in
 * the metric of the same name without `_total`.
 */
const LINT_FAILING_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];
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
/** How a chaos run can end: the `status` label of canary_chaos_runs_total. */
const CHAOS_RUN_OUTCOMES = ['completed', 'deviated', 'aborted', 'interrupted', 'failed'] as const;

export class PrometheusSink {
  /** The registry of the agent's own metrics; later features may add theirs to it. */
  readonly registry: Registry<OpenMetricsContentType>;
  readonly #agentMetrics: AgentMetrics;
  readonly #checks: CheckExposition;
  readonly #renderer: MetricsRenderer;
  readonly #level: MetricsLevel;
  readonly #lag = new Map<string, Histogram.Internal<'kind'>>();
  readonly #unsubscribe: (() => void)[];

  constructor(options: PrometheusSinkOptions) {
    // Made OpenMetrics before anything registers (prom-client's typings lack the
    // constructor argument); see MetricsRenderer for why.
    this.registry = new Registry<OpenMetricsContentType>();
    this.registry.setContentType(openMetricsContentType);
    const defaultLabels = { region: options.region, ...options.agentLabels };
    this.registry.setDefaultLabels(defaultLabels);
    collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
    for (const name of LINT_FAILING_DEFAULTS) this.registry.removeSingleMetric(PREFIX + name);
    this.#agentMetrics = createAgentMetrics(this.registry);
    this.#level = options.level ?? 'full';
    this.#checks = new CheckExposition(labelPairs(defaultLabels), {
      level: this.#level,
      tracing: options.tracing === true,
      renderThread: options.renderThread === true,
      onRender: (stats) => this.#rendered(stats),
      ...(options.logger ? { logger: options.logger } : {}),
    });
    this.#renderer = new MetricsRenderer(this.registry, this.#checks);
    const { version, datacenter } = options;
    this.#agentMetrics.agentInfo.set(datacenter ? { version, datacenter } : { version }, 1);
    this.setChecks(options.checks);
    this.setReloadResult(true);
    const bus = options.bus;
    const checks = this.#checks;
    this.#unsubscribe = [
      bus.on('result', (result) => checks.record(result)),
      bus.on('result.attempt', (result) => checks.attempt(result)),
      bus.on('scheduler.lag', ({ kind, seconds }) => this.#lagFor(kind).observe(seconds)),
      bus.on('scheduler.skipped', ({ check, kind }) => checks.skip(check, kind)),
      // As chaos.scheduled does for experiments: a scheduled check's counters exist at 0.
      bus.on('checks.scheduled', (scheduled) => {
        for (const { name, kind } of scheduled.checks) checks.scheduled(name, kind);
      }),
    ];
    if (options.chaos) {
      const chaos = createChaosMetrics(this.registry, options.chaos.halted);
      this.#unsubscribe.push(
        bus.on('chaos.run.start', ({ experiment }) => chaos.active.set({ experiment }, 1)),
        bus.on('chaos.run.end', ({ experiment, status }) => {
          chaos.active.set({ experiment }, 0);
          chaos.runs.inc({ experiment, status });
        }),
        bus.on('chaos.budget', ({ experiment, slo, remaining }) => chaos.budget.set({ experiment, slo }, remaining)),
        bus.on('chaos.run.skipped', ({ experiment, reason }) => chaos.skipped.inc({ experiment, reason })),
        // As the instrumentation guidelines ask: every known series at 0 from the start, so
        // rate() and absent() work on an agent that has not run an experiment yet.
        bus.on('chaos.scheduled', ({ experiments }) => {
          for (const experiment of experiments) {
            chaos.active.set({ experiment }, 0);
            for (const status of CHAOS_RUN_OUTCOMES) chaos.runs.inc({ experiment, status }, 0);
          }
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
   * The exposition as text, in the format `accept` (an `Accept` header or a content type)
   * asks for: Prometheus text 0.0.4 by default, OpenMetrics 1.0.0 when asked.
   */
  metrics(accept?: string): Promise<MetricsPayload> {
    return this.#renderer.text(accept);
  }

  /**
   * The exposition as a `/metrics` response body: gzipped when `acceptEncoding` allows,
   * shared with scrapes of the same format that arrive while it renders.
   */
  exposition(accept?: string, acceptEncoding?: string): Promise<Exposition> {
    return this.#renderer.render(accept, acceptEncoding);
  }

  /** Whether the per-check series are rendered on the render thread now. */
  get renderThreaded(): boolean {
    return this.#checks.threaded;
  }

  /** Records the outcome of a configuration (re)load; a success also stamps its time. */
  setReloadResult(ok: boolean): void {
    this.#agentMetrics.reloadSuccessful.set(ok ? 1 : 0);
    if (ok) this.#agentMetrics.reloadTimestamp.set(Date.now() / 1000);
  }

  /**
   * Sets the configured checks (at start and after a reload): recounts `canary_checks`,
   * rebuilds the info and SLO series, and forgets the series of checks that are gone,
   * disabled or changed kind, so they do not linger at their last value.
   */
  setChecks(checks: readonly CheckRef[]): void {
    const counts = new Map<string, number>(CHECK_KINDS.map((kind) => [kind, 0]));
    for (const { kind } of checks) counts.set(kind, (counts.get(kind) ?? 0) + 1);
    this.#agentMetrics.checks.reset();
    for (const [kind, count] of counts) this.#agentMetrics.checks.set({ kind }, count);
    this.#checks.setChecks(checks, this.#level);
  }

  /**
   * Deletes every series of one check (it was removed, disabled or changed kind on reload);
   * its results are ignored until a `setChecks` lists it as enabled again.
   */
  removeCheck(name: string): void {
    this.#checks.remove(name);
  }

  /**
   * Unsubscribes from the bus and ends the render thread; the exposition keeps its last
   * values (rendered on the agent's thread from now on).
   */
  close(): void {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe.length = 0;
    void this.#checks.close();
  }

  #rendered({ seconds, holdSeconds }: RenderStats): void {
    this.#agentMetrics.renderSeconds.set(seconds);
    this.#agentMetrics.renderHoldSeconds.set(holdSeconds);
  }

  #lagFor(kind: string): Histogram.Internal<'kind'> {
    let child = this.#lag.get(kind);
    if (!child) {
      child = this.#agentMetrics.schedulerLag.labels({ kind });
      this.#lag.set(kind, child);
    }
    return child;
  }
}
