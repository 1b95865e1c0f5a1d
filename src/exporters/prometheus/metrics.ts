import { Counter, Gauge, Histogram, type OpenMetricsContentType, type Registry } from 'prom-client';

/**
 * Buckets of `canary_scheduler_lag_seconds`: a healthy agent starts runs within a few
 * milliseconds; seconds mean the concurrency cap or the event loop is saturated.
 */
export const SCHEDULER_LAG_BUCKETS: readonly number[] = [
  0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/**
 * The agent's own metrics in its prom-client registry. The per-check series are not here:
 * they are kept and written by the check exposition, which is built for many checks.
 */
export interface AgentMetrics {
  schedulerLag: Histogram<'kind'>;
  agentInfo: Gauge<'version' | 'datacenter'>;
  reloadSuccessful: Gauge;
  reloadTimestamp: Gauge;
  checks: Gauge<'kind'>;
  renderSeconds: Gauge;
  renderHoldSeconds: Gauge;
}

/** Creates the agent's own metrics in `registry`. */
export function createAgentMetrics(registry: Registry<OpenMetricsContentType>): AgentMetrics {
  const registers = [registry];
  return {
    schedulerLag: new Histogram({
      name: 'canary_scheduler_lag_seconds',
      help: 'How much later than scheduled check runs started, in seconds.',
      labelNames: ['kind'],
      buckets: [...SCHEDULER_LAG_BUCKETS],
      registers,
    }),
    agentInfo: new Gauge({
      name: 'canary_agent_info',
      help: 'Constant 1; labels describe the agent (version, region, datacenter, agent labels).',
      labelNames: ['version', 'datacenter'],
      registers,
    }),
    reloadSuccessful: new Gauge({
      name: 'canary_config_last_reload_successful',
      help: 'Whether the last configuration (re)load succeeded (1) or failed (0).',
      registers,
    }),
    reloadTimestamp: new Gauge({
      name: 'canary_config_last_reload_success_timestamp_seconds',
      help: 'Unix time of the last successful configuration (re)load.',
      registers,
    }),
    checks: new Gauge({
      name: 'canary_checks',
      help: 'Configured checks by probe kind.',
      labelNames: ['kind'],
      registers,
    }),
    renderSeconds: new Gauge({
      name: 'canary_exposition_last_render_seconds',
      help: "How long the last render of the checks' series for /metrics took, to its last byte, in seconds.",
      registers,
    }),
    renderHoldSeconds: new Gauge({
      name: 'canary_exposition_last_render_hold_seconds',
      help: "The longest the last render of the checks' series held the agent's event loop at once, in seconds.",
      registers,
    }),
  };
}

/** Counters of OTLP span export, registered only when tracing is on. */
export interface TracingMetrics {
  exported: Counter;
  dropped: Counter<'reason'>;
}

/** Why spans are dropped; each series exists at 0 from the start so rate() sees the first drop. */
export const SPAN_DROP_REASONS = ['queue_full', 'export_failed', 'shutdown'] as const;

export function createTracingMetrics(registry: Registry<OpenMetricsContentType>): TracingMetrics {
  const registers = [registry];
  const metrics: TracingMetrics = {
    exported: new Counter({
      name: 'canary_otel_spans_exported_total',
      help: 'Spans delivered to the OTLP endpoint.',
      registers,
    }),
    dropped: new Counter({
      name: 'canary_otel_spans_dropped_total',
      help: 'Spans lost: export queue full, export failed (collector down, slow or refusing), or still queued at shutdown.',
      labelNames: ['reason'],
      registers,
    }),
  };
  metrics.exported.inc(0);
  for (const reason of SPAN_DROP_REASONS) metrics.dropped.inc({ reason }, 0);
  return metrics;
}

/** Chaos run metrics; `halted` is read at scrape time. */
export interface ChaosMetrics {
  runs: Counter<'experiment' | 'status'>;
  active: Gauge<'experiment'>;
  budget: Gauge<'experiment' | 'slo'>;
  skipped: Counter<'experiment' | 'reason'>;
}

export function createChaosMetrics(registry: Registry<OpenMetricsContentType>, halted: () => boolean): ChaosMetrics {
  const registers = [registry];
  new Gauge({
    name: 'canary_chaos_halted',
    help: 'Whether chaos is halted on this host (1): runs are refused until resume.',
    registers,
    collect() {
      this.set(halted() ? 1 : 0);
    },
  });
  return {
    runs: new Counter({
      name: 'canary_chaos_runs_total',
      help: 'Chaos experiment runs by how they ended (completed, deviated, aborted, interrupted, failed).',
      labelNames: ['experiment', 'status'],
      registers,
    }),
    active: new Gauge({
      name: 'canary_chaos_active',
      help: 'Chaos experiment runs in progress (1 while one runs).',
      labelNames: ['experiment'],
      registers,
    }),
    budget: new Gauge({
      name: 'canary_chaos_error_budget_remaining',
      help: "Remaining error budget (0..1) of the check's SLO an experiment's requireErrorBudget names, as last judged at a scheduled tick.",
      labelNames: ['experiment', 'slo'],
      registers,
    }),
    skipped: new Counter({
      name: 'canary_chaos_runs_skipped_total',
      help: 'Scheduled chaos runs skipped, by reason (error_budget: requireErrorBudget not met).',
      labelNames: ['experiment', 'reason'],
      registers,
    }),
  };
}
