/**
 * The `probe_*` metrics of the tcp, tls and grpc probers, as blackbox_exporter 0.23 writes
 * them. Blackbox has no tls prober (it is tcp with `tls: true`), so a tls module answers
 * what such a tcp module would, without the conversation's regex gauge.
 */
import { GRPC_SERVING_STATUSES } from '../../config/schema/grpc.js';
import { splitHostPort } from '../../config/schema/base.js';
import type { ResolvedTcpCheck } from '../../config/types.js';
import { FAILURE_REASONS } from '../../results/reasons.js';
import type { Observation } from '../../results/types.js';
import { ipProtocolOfHost, type FamilyPreference } from './ip-protocol.js';
import { tlsFamilies } from './tls-metrics.js';
import { gauge, type ProbeMetric, type ProbeRun } from './types.js';

/** gRPC's UNAVAILABLE: what blackbox reports when no call completed. */
const GRPC_UNAVAILABLE = 14;

/** The resolver's pick when a probe has no family setting (tls, grpc). */
const AUTO: FamilyPreference = { family: 'auto', fallback: true };

/** What blackbox's `chooseProtocol` registers for every socket prober: the name's lookup time and the family used. */
async function addressFamilies(run: ProbeRun, preference: FamilyPreference): Promise<ProbeMetric[]> {
  const { observation } = run.result;
  const host = splitHostPort(run.check.target)?.host;
  const ipProtocol = observation.reason === FAILURE_REASONS.dns ? 0 : await ipProtocolOfHost(host, preference, run.signal);
  return [
    gauge('probe_dns_lookup_time_seconds', 'Returns the time taken for probe dns lookup in seconds', observation.phases.resolve ?? 0),
    gauge('probe_ip_protocol', 'Specifies whether probe ip protocol is IP4 or IP6', ipProtocol),
  ];
}

/**
 * 1 when an `expect` step saw the connection end without a matching line (blackbox's only
 * case: a read error or timeout is not a regex failure).
 */
function failedDueToRegex(observation: Observation): number {
  return observation.reason === FAILURE_REASONS.assertion && observation.tcp !== undefined ? 1 : 0;
}

/** tcp: address, regex gauge, and the TLS families when `tcp.tls` is on and a handshake happened. */
export async function tcpProbeMetrics(run: ProbeRun): Promise<ProbeMetric[]> {
  const check = run.check as ResolvedTcpCheck;
  const { observation } = run.result;
  return [
    ...(await addressFamilies(run, { family: check.tcp.ipFamily, fallback: true })),
    gauge('probe_failed_due_to_regex', 'Indicates if probe failed due to regex', failedDueToRegex(observation)),
    ...(check.tcp.tls ? tlsFamilies(observation.tls) : []),
  ];
}

/** tls: address and the TLS families, once a handshake happened. */
export async function tlsProbeMetrics(run: ProbeRun): Promise<ProbeMetric[]> {
  return [...(await addressFamilies(run, AUTO)), ...tlsFamilies(run.result.observation.tls)];
}

/** grpc: the health call's status code, serving status (each status a series, as blackbox), SSL and timings. */
export async function grpcProbeMetrics(run: ProbeRun): Promise<ProbeMetric[]> {
  const { observation } = run.result;
  const grpc = observation.grpc;
  const resolve = observation.phases.resolve ?? 0;
  return [
    ...(await addressFamilies(run, AUTO)),
    {
      name: 'probe_grpc_duration_seconds',
      help: 'Duration of gRPC request by phase',
      samples: [
        { labels: { phase: 'resolve' }, value: resolve },
        { labels: { phase: 'check' }, value: Math.max(0, observation.durationSeconds - resolve) },
      ],
    },
    gauge('probe_grpc_status_code', 'Response gRPC status code', grpc?.statusCode ?? GRPC_UNAVAILABLE),
    gauge('probe_grpc_ssl', 'Indicates if SSL was used for the connection', grpc?.ssl === true ? 1 : 0),
    {
      name: 'probe_grpc_healthcheck_response',
      help: 'Response HealthCheck response',
      samples: GRPC_SERVING_STATUSES.map((status) => ({ labels: { serving_status: status }, value: grpc?.servingStatus === status ? 1 : 0 })),
    },
    ...tlsFamilies(observation.tls),
  ];
}
