/**
 * The `probe_*` metrics of an HTTP probe, as blackbox_exporter's http prober writes them
 * (names, help texts, and which appear only sometimes). Where a fact is missing because
 * no response arrived, the value is blackbox's: 0.
 */
import { BODY_OUTCOME } from '../../assertions/body.js';
import { STATUS_OUTCOME } from '../../assertions/status.js';
import type { ResolvedHttpCheck } from '../../config/types.js';
import { BLACKBOX, contentLength, HTTP_PHASES, httpVersionValue } from '../../exporters/prometheus/vocabulary.js';
import type { HttpFacts, Observation } from '../../results/types.js';
import { ipProtocolOf } from './ip-protocol.js';
import { tlsFamilies } from './tls-metrics.js';
import { gauge, labelled, type ProbeMetric, type ProbeRun } from './types.js';

/**
 * 1 when a body or header expectation failed (blackbox's regex checks live there) while
 * the status was good: blackbox judges regexes only after the status passed.
 */
function failedDueToRegex(run: ProbeRun): number {
  const { outcomes } = run.result;
  if (outcomes.some((o) => o.name === STATUS_OUTCOME && !o.ok)) return 0;
  const regexLike = (name: string) => name === BODY_OUTCOME || name.startsWith('header ');
  return outcomes.some((o) => !o.ok && regexLike(o.name)) ? 1 : 0;
}

function tlsMetrics(observation: Observation): ProbeMetric[] {
  return observation.http?.ssl === true ? tlsFamilies(observation.tls) : [];
}

function lastModified(http: HttpFacts | undefined): ProbeMetric[] {
  const header = http?.headers['last-modified'];
  const ms = header === undefined ? Number.NaN : Date.parse(header);
  if (Number.isNaN(ms)) return [];
  return [gauge(BLACKBOX.httpLastModified, Math.floor(ms / 1000))];
}

/** Every metric of an HTTP probe beyond `probe_success` and `probe_duration_seconds`. */
export async function httpProbeMetrics(run: ProbeRun): Promise<ProbeMetric[]> {
  const check = run.check as ResolvedHttpCheck;
  const { observation } = run.result;
  const http = observation.http;
  const preference = { family: check.http.ipFamily, fallback: check.http.ipFallback };
  const ipProtocol =
    observation.reason === 'dns' ? 0 : await ipProtocolOf(http?.finalUrl ?? check.target, preference, run.signal);
  return [
    gauge(BLACKBOX.dnsLookup, observation.dnsLookupSeconds ?? 0),
    gauge(BLACKBOX.ipProtocol, ipProtocol),
    labelled(
      BLACKBOX.httpPhase,
      HTTP_PHASES.map((phase) => ({ labels: { phase }, value: observation.phases[phase] ?? 0 })),
    ),
    gauge(BLACKBOX.httpContentLength, contentLength(http)),
    gauge(BLACKBOX.httpBodyLength, http?.bodyBytes ?? 0),
    gauge(BLACKBOX.httpRedirects, http?.redirects ?? 0),
    gauge(BLACKBOX.httpSsl, http?.ssl === true ? 1 : 0),
    gauge(BLACKBOX.httpStatus, http?.status ?? 0),
    gauge(BLACKBOX.httpVersion, httpVersionValue(http)),
    gauge(BLACKBOX.failedDueToRegex, failedDueToRegex(run)),
    ...lastModified(http),
    ...tlsMetrics(observation),
  ];
}
