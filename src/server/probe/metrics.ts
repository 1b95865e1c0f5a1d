/**
 * The exposition `/probe` answers: one probe's metrics in a registry of their own, named
 * and described as blackbox_exporter names them, without the `check`/`kind` labels of
 * `/metrics` (one scrape is one probe, and Prometheus adds `instance` and `job`).
 */
import { Gauge, Registry } from 'prom-client';
import { BLACKBOX } from '../../exporters/prometheus/vocabulary.js';
import { dnsProbeMetrics } from './dns-metrics.js';
import { httpProbeMetrics } from './http-metrics.js';
import { grpcProbeMetrics, tcpProbeMetrics, tlsProbeMetrics, unixProbeMetrics } from './socket-metrics.js';
import { icmpProbeMetrics } from './icmp-metrics.js';
import { gauge, type KindMetrics, type ProbeMetric, type ProbeRun } from './types.js';
import { websocketProbeMetrics } from './websocket-metrics.js';

/**
 * Metrics per probe kind. A kind missing here still answers `probe_success` and
 * `probe_duration_seconds`; a new kind adds one line with its builder.
 */
const KIND_METRICS: Readonly<Record<string, KindMetrics>> = {
  http: httpProbeMetrics,
  tcp: tcpProbeMetrics,
  tls: tlsProbeMetrics,
  dns: dnsProbeMetrics,
  grpc: grpcProbeMetrics,
  unix: unixProbeMetrics,
  websocket: websocketProbeMetrics,
  icmp: icmpProbeMetrics,
};

/**
 * Every metric of one probe: blackbox's two handler-level gauges plus the kind's own.
 * `durationSeconds` is measured around the whole probe, as blackbox does.
 */
export async function probeMetrics(run: ProbeRun, durationSeconds: number): Promise<ProbeMetric[]> {
  const own = KIND_METRICS[run.check.kind];
  return [
    gauge(BLACKBOX.success, run.result.ok ? 1 : 0),
    gauge(BLACKBOX.duration, durationSeconds),
    ...(own ? await own(run) : []),
  ];
}

/**
 * Renders metrics in the Prometheus text format from a fresh registry, families sorted
 * by name as blackbox's (Go client's) output is.
 */
export async function renderProbeMetrics(
  metrics: readonly ProbeMetric[],
): Promise<{ contentType: string; body: string }> {
  const registry = new Registry();
  for (const metric of [...metrics].sort((a, b) => a.name.localeCompare(b.name))) {
    const labelNames = [...new Set(metric.samples.flatMap((s) => Object.keys(s.labels ?? {})))];
    const family = new Gauge({ name: metric.name, help: metric.help, labelNames, registers: [registry] });
    for (const sample of metric.samples) {
      if (sample.labels) family.set(sample.labels, sample.value);
      else family.set(sample.value);
    }
  }
  return { contentType: registry.contentType, body: await registry.metrics() };
}
