/**
 * Metrics of the dns and grpc probe kinds, with blackbox_exporter's names and help texts
 * (`probe_dns_*`, `probe_grpc_*`), plus `probe_dns_rcode`, which blackbox does not have.
 * Like the HTTP gauges they show the latest result, written at scrape time.
 */
import { Gauge, type OpenMetricsContentType, type Registry } from 'prom-client';
import { GRPC_SERVING_STATUSES } from '../../config/schema/grpc.js';
import type { CheckResult } from '../../results/types.js';
import { createFlowMetrics, FlowSeries, type FlowMetrics } from './flow.js';
import type { CheckLabel } from './metrics.js';


/** The kind-specific gauges, created once per registry. */
export interface KindMetrics {
  dnsAnswerRrs: Gauge<CheckLabel>;
  dnsAuthorityRrs: Gauge<CheckLabel>;
  dnsAdditionalRrs: Gauge<CheckLabel>;
  dnsQuerySucceeded: Gauge<CheckLabel>;
  dnsSerial: Gauge<CheckLabel>;
  dnsRcode: Gauge<CheckLabel>;
  grpcStatusCode: Gauge<CheckLabel>;
  grpcSsl: Gauge<CheckLabel>;
  grpcHealth: Gauge<CheckLabel | 'serving_status'>;
  /** Per-step series of flow checks. */
  flow: FlowMetrics;
}

export function createKindMetrics(registry: Registry<OpenMetricsContentType>, collect: () => void): KindMetrics {
  const registers = [registry];
  const labelNames: CheckLabel[] = ['check', 'kind'];
  const gauge = (name: string, help: string) => new Gauge({ name, help, labelNames, registers, collect });
  return {
    dnsAnswerRrs: gauge('probe_dns_answer_rrs', 'Returns number of entries in the answer resource record list'),
    dnsAuthorityRrs: gauge('probe_dns_authority_rrs', 'Returns number of entries in the authority resource record list'),
    dnsAdditionalRrs: gauge('probe_dns_additional_rrs', 'Returns number of entries in the additional resource record list'),
    dnsQuerySucceeded: gauge('probe_dns_query_succeeded', 'Displays whether or not the query was executed successfully'),
    dnsSerial: gauge('probe_dns_serial', 'Returns the serial number of the zone'),
    dnsRcode: gauge('probe_dns_rcode', 'Response code of the last DNS answer (0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, ...); -1 when none arrived'),
    grpcStatusCode: gauge('probe_grpc_status_code', 'Response gRPC status code'),
    grpcSsl: gauge('probe_grpc_ssl', 'Indicates if SSL was used for the connection'),
    grpcHealth: new Gauge({
      name: 'probe_grpc_healthcheck_response',
      help: 'Response HealthCheck response',
      labelNames: [...labelNames, 'serving_status'],
      registers,
      collect,
    }),
    flow: createFlowMetrics(registry, collect),
  };
}

/** The kind-specific series of one check; only dns, grpc and flow checks have any. */
export class KindSeries {
  readonly #m: KindMetrics;
  readonly #labels: Readonly<Record<CheckLabel, string>>;
  #serial = false;
  #flow: FlowSeries | undefined;

  constructor(metrics: KindMetrics, labels: Readonly<Record<CheckLabel, string>>) {
    this.#m = metrics;
    this.#labels = labels;
  }

  /** Writes the latest result; as blackbox does, a run without an answer exports its gauges at 0. */
  flush(result: CheckResult): void {
    if (result.kind === 'dns') this.#dns(result);
    else if (result.kind === 'grpc') this.#grpc(result);
    else if (result.kind === 'flow') this.#flowSeries().flush(result);
  }

  /** Counts what accumulates over every result (flow step failures), not only the latest. */
  record(result: CheckResult): void {
    if (result.kind === 'flow') this.#flowSeries().record(result);
  }

  #flowSeries(): FlowSeries {
    return (this.#flow ??= new FlowSeries(this.#m.flow, this.#labels));
  }

  #dns(result: CheckResult): void {
    const m = this.#m;
    const dns = result.observation.dns;
    m.dnsAnswerRrs.set(this.#labels, dns?.answers.length ?? 0);
    m.dnsAuthorityRrs.set(this.#labels, dns?.authority.length ?? 0);
    m.dnsAdditionalRrs.set(this.#labels, dns?.additional.length ?? 0);
    m.dnsQuerySucceeded.set(this.#labels, dns ? 1 : 0);
    m.dnsRcode.set(this.#labels, dns?.rcodeValue ?? -1);
    // The serial exists only while the answer carries an SOA record.
    if (dns?.serial !== undefined) {
      m.dnsSerial.set(this.#labels, dns.serial);
      this.#serial = true;
    } else if (this.#serial) {
      m.dnsSerial.remove(this.#labels);
      this.#serial = false;
    }
  }

  #grpc(result: CheckResult): void {
    const m = this.#m;
    const grpc = result.observation.grpc;
    // UNAVAILABLE (14) when no call completed, as blackbox_exporter reports a dead server.
    m.grpcStatusCode.set(this.#labels, grpc?.statusCode ?? 14);
    m.grpcSsl.set(this.#labels, grpc?.ssl ? 1 : 0);
    for (const status of GRPC_SERVING_STATUSES) {
      m.grpcHealth.set({ ...this.#labels, serving_status: status }, grpc?.servingStatus === status ? 1 : 0);
    }
  }

  /** Deletes every kind-specific series of the check. */
  remove(): void {
    const m = this.#m;
    for (const gauge of [m.dnsAnswerRrs, m.dnsAuthorityRrs, m.dnsAdditionalRrs, m.dnsQuerySucceeded, m.dnsSerial, m.dnsRcode, m.grpcStatusCode, m.grpcSsl]) {
      gauge.remove(this.#labels);
    }
    for (const status of GRPC_SERVING_STATUSES) m.grpcHealth.remove({ ...this.#labels, serving_status: status });
    this.#flow?.remove();
  }
}
