import { Counter, Gauge, Histogram, type OpenMetricsContentType, type Registry } from 'prom-client';
import { createKindMetrics, type KindMetrics } from './kinds.js';

/**
 * Buckets of `canary_probe_duration_seconds`: from a loopback answer (5 ms) to the
 * longest timeout worth waiting for (60 s), dense where API latency SLOs sit (0.1-1 s).
 */
export const PROBE_DURATION_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * Buckets of `canary_scheduler_lag_seconds`: a healthy agent starts runs within a few
 * milliseconds; seconds mean the concurrency cap or the event loop is saturated.
 */
export const SCHEDULER_LAG_BUCKETS: readonly number[] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Labels of every per-check series. */
export type CheckLabel = 'check' | 'kind';

/** Every metric the Prometheus sink maintains, created in one registry. */
export interface SinkMetrics {
  success: Gauge<CheckLabel>;
  duration: Gauge<CheckLabel>;
  dnsLookup: Gauge<CheckLabel>;
  httpStatus: Gauge<CheckLabel>;
  httpPhase: Gauge<CheckLabel | 'phase'>;
  httpRedirects: Gauge<CheckLabel>;
  httpSsl: Gauge<CheckLabel>;
  httpVersion: Gauge<CheckLabel>;
  httpContentLength: Gauge<CheckLabel>;
  sslEarliestExpiry: Gauge<CheckLabel>;
  tlsVersion: Gauge<CheckLabel | 'version'>;
  runs: Counter<CheckLabel | 'result' | 'reason'>;
  /** Every attempt, retries included: a run that needed a retry shows its failure here only. */
  attempts: Counter<CheckLabel | 'result' | 'reason'>;
  runDuration: Histogram<CheckLabel>;
  schedulerLag: Histogram<'kind'>;
  schedulerSkipped: Counter<CheckLabel>;
  agentInfo: Gauge<'version' | 'datacenter'>;
  reloadSuccessful: Gauge;
  reloadTimestamp: Gauge;
  checks: Gauge<'kind'>;
  /** Gauges of the dns and grpc kinds. */
  kinds: KindMetrics;
}

/**
 * Creates the sink's metrics in `registry`. The `probe_*` names and help texts are
 * blackbox_exporter's, so dashboards and alerts written for it work unchanged; `check`
 * and `kind` labels tell the checks apart where blackbox has one probe per scrape.
 *
 * `collect` runs before any `probe_*` gauge is read (prom-client calls it at scrape
 * time); the sink uses it to write the gauges from each check's latest result.
 */
export function createSinkMetrics(registry: Registry<OpenMetricsContentType>, collect: () => void): SinkMetrics {
  const registers = [registry];
  const perCheck: CheckLabel[] = ['check', 'kind'];
  const gauge = (name: string, help: string) => new Gauge({ name, help, labelNames: perCheck, registers, collect });
  return {
    success: gauge('probe_success', 'Displays whether or not the probe was a success'),
    duration: gauge('probe_duration_seconds', 'Returns how long the probe took to complete in seconds'),
    dnsLookup: gauge('probe_dns_lookup_time_seconds', 'Returns the time taken for probe dns lookup in seconds'),
    httpStatus: gauge('probe_http_status_code', 'Response HTTP status code'),
    httpPhase: new Gauge({
      name: 'probe_http_duration_seconds',
      help: 'Duration of http request by phase, summed over all redirects',
      labelNames: [...perCheck, 'phase'],
      registers,
      collect,
    }),
    httpRedirects: gauge('probe_http_redirects', 'The number of redirects'),
    httpSsl: gauge('probe_http_ssl', 'Indicates if SSL was used for the final redirect'),
    httpVersion: gauge('probe_http_version', 'Returns the version of HTTP of the probe response'),
    httpContentLength: gauge('probe_http_content_length', 'Length of http content response'),
    sslEarliestExpiry: gauge('probe_ssl_earliest_cert_expiry', 'Returns last SSL chain expiry in unixtime'),
    tlsVersion: new Gauge({
      name: 'probe_tls_version_info',
      help: 'Returns the TLS version used or NaN when unknown',
      labelNames: [...perCheck, 'version'],
      registers,
      collect,
    }),
    runs: new Counter({
      name: 'canary_probe_runs_total',
      help: 'Check runs by result (success, failure) and failure reason (empty on success).',
      labelNames: [...perCheck, 'result', 'reason'],
      registers,
    }),
    attempts: new Counter({
      name: 'canary_probe_attempts_total',
      help: 'Check attempts, retries included, by result (success, failure) and failure reason (empty on success).',
      labelNames: [...perCheck, 'result', 'reason'],
      registers,
    }),
    runDuration: new Histogram({
      name: 'canary_probe_duration_seconds',
      help: 'Wall time of check runs in seconds.',
      labelNames: perCheck,
      buckets: [...PROBE_DURATION_BUCKETS],
      // Each bucket keeps the trace of its latest traced run; only OpenMetrics shows them.
      enableExemplars: true,
      registers,
    }),
    schedulerLag: new Histogram({
      name: 'canary_scheduler_lag_seconds',
      help: 'How much later than scheduled check runs started, in seconds.',
      labelNames: ['kind'],
      buckets: [...SCHEDULER_LAG_BUCKETS],
      registers,
    }),
    schedulerSkipped: new Counter({
      name: 'canary_scheduler_skipped_runs_total',
      help: 'Check runs skipped because the previous run of the same check had not finished.',
      labelNames: perCheck,
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
    checks: new Gauge({ name: 'canary_checks', help: 'Configured checks by probe kind.', labelNames: ['kind'], registers }),
    kinds: createKindMetrics(registry, collect),
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
    exported: new Counter({ name: 'canary_otel_spans_exported_total', help: 'Spans delivered to the OTLP endpoint.', registers }),
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
    runs: new Counter({ name: 'canary_chaos_runs_total', help: 'Chaos experiment runs by how they ended (completed, deviated, aborted, interrupted, failed).', labelNames: ['experiment', 'status'], registers }),
    active: new Gauge({ name: 'canary_chaos_active', help: 'Chaos experiment runs in progress (1 while one runs).', labelNames: ['experiment'], registers }),
  };
}
