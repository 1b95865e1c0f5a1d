/**
 * The `probe_*` metrics of the tcp, tls and grpc probers, as blackbox_exporter 0.23 writes
 * them. Blackbox has no tls prober (it is tcp with `tls: true`), so a tls module answers
 * what such a tcp module would, without the conversation's regex gauge.
 */
import { splitHostPort } from '../../config/schema/base.js';
import type { ResolvedTcpCheck, ResolvedUnixCheck } from '../../config/types.js';
import { FAILURE_REASONS } from '../../results/reasons.js';
import type { Observation } from '../../results/types.js';
import { ipProtocolOfHost, type FamilyPreference } from './ip-protocol.js';
import { tlsFamilies } from './tls-metrics.js';
import { BLACKBOX, GRPC_SERVING_STATUSES, grpcStatusCode } from '../../exporters/prometheus/vocabulary.js';
import { gauge, labelled, type ProbeMetric, type ProbeRun } from './types.js';

/** The resolver's pick when a probe has no family setting (tls, grpc). */
const AUTO: FamilyPreference = { family: 'auto', fallback: true };

/** What blackbox's `chooseProtocol` registers for every socket prober: the name's lookup time and the family used. */
async function addressFamilies(run: ProbeRun, preference: FamilyPreference): Promise<ProbeMetric[]> {
  const { observation } = run.result;
  const host = splitHostPort(run.check.target)?.host;
  const ipProtocol =
    observation.reason === FAILURE_REASONS.dns ? 0 : await ipProtocolOfHost(host, preference, run.signal);
  return [gauge(BLACKBOX.dnsLookup, observation.phases.resolve ?? 0), gauge(BLACKBOX.ipProtocol, ipProtocol)];
}

/**
 * 1 when an `expect` step saw the connection end without a matching line, or (`bytes`)
 * an `expectBytes` step read other bytes (blackbox's cases: a read error or timeout is neither).
 */
function failedDue(observation: Observation, kind: 'regex' | 'bytes'): number {
  const facts = observation.tcp ?? observation.unix;
  return observation.reason === FAILURE_REASONS.assertion && facts?.expectFailure === kind ? 1 : 0;
}

/**
 * The conversation's gauges: the regex and bytes failures, and `probe_expect_info` for
 * each step whose labels were filled (blackbox registers it once its expect matched).
 */
function conversationFamilies(observation: Observation): ProbeMetric[] {
  const info = (observation.tcp ?? observation.unix)?.expectInfo ?? [];
  return [
    gauge(BLACKBOX.failedDueToRegex, failedDue(observation, 'regex')),
    gauge(BLACKBOX.failedDueToBytes, failedDue(observation, 'bytes')),
    ...(info.length === 0
      ? []
      : [
          labelled(
            BLACKBOX.expectInfo,
            info.map((labels) => ({ labels, value: 1 })),
          ),
        ]),
  ];
}

/** Whether a conversation upgrades to TLS: its TLS families are then exported as for `tcp.tls`. */
const startsTls = (steps: readonly { starttls?: boolean }[]): boolean => steps.some((s) => s.starttls === true);

/** tcp: address, regex gauge, and the TLS families when `tcp.tls` or a starttls step is on and a handshake happened. */
export async function tcpProbeMetrics(run: ProbeRun): Promise<ProbeMetric[]> {
  const check = run.check as ResolvedTcpCheck;
  const { observation } = run.result;
  return [
    ...(await addressFamilies(run, { family: check.tcp.ipFamily, fallback: true })),
    ...conversationFamilies(observation),
    ...(check.tcp.tls || startsTls(check.tcp.steps) ? tlsFamilies(observation.tls) : []),
  ];
}

/** unix: the regex gauge and, with a starttls step, the TLS families; no name is resolved, so no address families. */
export function unixProbeMetrics(run: ProbeRun): Promise<ProbeMetric[]> {
  const check = run.check as ResolvedUnixCheck;
  const { observation } = run.result;
  return Promise.resolve([
    ...conversationFamilies(observation),
    ...(startsTls(check.unix.steps) ? tlsFamilies(observation.tls) : []),
  ]);
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
    labelled(BLACKBOX.grpcPhase, [
      { labels: { phase: 'resolve' }, value: resolve },
      { labels: { phase: 'check' }, value: Math.max(0, observation.durationSeconds - resolve) },
    ]),
    gauge(BLACKBOX.grpcStatusCode, grpcStatusCode(grpc?.statusCode)),
    gauge(BLACKBOX.grpcSsl, grpc?.ssl === true ? 1 : 0),
    labelled(
      BLACKBOX.grpcHealth,
      GRPC_SERVING_STATUSES.map((status) => ({
        labels: { serving_status: status },
        value: grpc?.servingStatus === status ? 1 : 0,
      })),
    ),
    ...tlsFamilies(observation.tls),
  ];
}
