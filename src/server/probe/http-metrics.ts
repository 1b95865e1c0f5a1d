/**
 * The `probe_*` metrics of an HTTP probe, as blackbox_exporter's http prober writes them
 * (names, help texts, and which appear only sometimes). Where a fact is missing because
 * no response arrived, the value is blackbox's: 0.
 */
import { BODY_OUTCOME } from '../../assertions/body.js';
import { STATUS_OUTCOME } from '../../assertions/status.js';
import type { ResolvedHttpCheck } from '../../config/types.js';
import type { HttpFacts, HttpPhase, Observation } from '../../results/types.js';
import { ipProtocolOf } from './ip-protocol.js';
import { tlsFamilies } from './tls-metrics.js';
import { gauge, type ProbeMetric, type ProbeRun } from './types.js';

const PHASES: readonly HttpPhase[] = ['resolve', 'connect', 'tls', 'processing', 'transfer'];

/** `Content-Length` of the final response as Go reports it: -1 when the header is absent or unusable. */
function contentLength(http: HttpFacts | undefined): number {
  if (http === undefined) return 0;
  const header = http.headers['content-length'];
  return header !== undefined && /^\d+$/.test(header.trim()) ? Number(header.trim()) : -1;
}

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
  return [gauge('probe_http_last_modified_timestamp_seconds', 'Returns the Last-Modified HTTP response header in unixtime', Math.floor(ms / 1000))];
}

/** Every metric of an HTTP probe beyond `probe_success` and `probe_duration_seconds`. */
export async function httpProbeMetrics(run: ProbeRun): Promise<ProbeMetric[]> {
  const check = run.check as ResolvedHttpCheck;
  const { observation } = run.result;
  const http = observation.http;
  const preference = { family: check.http.ipFamily, fallback: check.http.ipFallback };
  const ipProtocol = observation.reason === 'dns' ? 0 : await ipProtocolOf(http?.finalUrl ?? check.target, preference, run.signal);
  return [
    gauge('probe_dns_lookup_time_seconds', 'Returns the time taken for probe dns lookup in seconds', observation.dnsLookupSeconds ?? 0),
    gauge('probe_ip_protocol', 'Specifies whether probe ip protocol is IP4 or IP6', ipProtocol),
    {
      name: 'probe_http_duration_seconds',
      help: 'Duration of http request by phase, summed over all redirects',
      samples: PHASES.map((phase) => ({ labels: { phase }, value: observation.phases[phase] ?? 0 })),
    },
    gauge('probe_http_content_length', 'Length of http content response', contentLength(http)),
    gauge('probe_http_uncompressed_body_length', 'Length of uncompressed response body', http?.bodyBytes ?? 0),
    gauge('probe_http_redirects', 'The number of redirects', http?.redirects ?? 0),
    gauge('probe_http_ssl', 'Indicates if SSL was used for the final redirect', http?.ssl === true ? 1 : 0),
    gauge('probe_http_status_code', 'Response HTTP status code', http?.status ?? 0),
    gauge('probe_http_version', 'Returns the version of HTTP of the probe response', http ? Number(http.version) || 0 : 0),
    gauge('probe_failed_due_to_regex', 'Indicates if probe failed due to regex', failedDueToRegex(run)),
    ...lastModified(http),
    ...tlsMetrics(observation),
  ];
}
