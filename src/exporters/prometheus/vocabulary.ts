/**
 * The one place that names what canary exports to Prometheus: every per-check family (name,
 * help text, type, metrics level) and the value mappings blackbox_exporter defines (TLS
 * version names, gRPC status codes, HTTP phases, Content-Length). The `/metrics` sink and
 * `/probe` both read from here, so the two cannot drift apart.
 *
 * The `probe_*` names and help texts are blackbox_exporter 0.23's, so dashboards and alerts
 * written for it work unchanged.
 */
import { GRPC_SERVING_STATUSES, HTTP_PHASES, WEBSOCKET_PHASES, type HttpFacts } from '../../results/types.js';

export { GRPC_SERVING_STATUSES, HTTP_PHASES, WEBSOCKET_PHASES };

/** How much a check exports: `basic` is what SLOs, the shipped alerts and dashboard need; `full` is everything. */
export type MetricsLevel = 'basic' | 'full';

/** Every metrics level, cheapest first. */
export const METRICS_LEVELS: readonly MetricsLevel[] = ['basic', 'full'];

/** A metric family as the exposition writes it. */
export interface Family {
  /** The registered name; a counter's ends in `_total` (OpenMetrics drops it from the HELP and TYPE lines). */
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter' | 'histogram';
  /** The cheapest level that exports it; `/probe`-only families have none. */
  readonly level?: MetricsLevel;
}

function family(name: string, help: string, type: Family['type'], level?: MetricsLevel): Family {
  return level === undefined ? { name, help, type } : { name, help, type, level };
}

const gauge = (name: string, help: string, level?: MetricsLevel): Family => family(name, help, 'gauge', level);

/** The families blackbox_exporter writes, by what they hold. */
export const BLACKBOX = {
  success: gauge('probe_success', 'Displays whether or not the probe was a success', 'basic'),
  duration: gauge('probe_duration_seconds', 'Returns how long the probe took to complete in seconds', 'basic'),
  dnsLookup: gauge('probe_dns_lookup_time_seconds', 'Returns the time taken for probe dns lookup in seconds', 'full'),
  ipProtocol: gauge('probe_ip_protocol', 'Specifies whether probe ip protocol is IP4 or IP6'),
  httpStatus: gauge('probe_http_status_code', 'Response HTTP status code', 'full'),
  httpPhase: gauge(
    'probe_http_duration_seconds',
    'Duration of http request by phase, summed over all redirects',
    'full',
  ),
  httpRedirects: gauge('probe_http_redirects', 'The number of redirects', 'full'),
  httpSsl: gauge('probe_http_ssl', 'Indicates if SSL was used for the final redirect', 'full'),
  httpVersion: gauge('probe_http_version', 'Returns the version of HTTP of the probe response', 'full'),
  httpContentLength: gauge('probe_http_content_length', 'Length of http content response', 'full'),
  httpBodyLength: gauge('probe_http_uncompressed_body_length', 'Length of uncompressed response body'),
  httpLastModified: gauge(
    'probe_http_last_modified_timestamp_seconds',
    'Returns the Last-Modified HTTP response header in unixtime',
  ),
  failedDueToRegex: gauge('probe_failed_due_to_regex', 'Indicates if probe failed due to regex'),
  failedDueToBytes: gauge('probe_failed_due_to_bytes', 'Indicates if probe failed due to bytes'),
  // Only for /probe: its labels are values read off the wire, a new series whenever they change.
  expectInfo: gauge('probe_expect_info', 'Explicit content matched'),
  sslEarliestExpiry: gauge('probe_ssl_earliest_cert_expiry', 'Returns last SSL chain expiry in unixtime', 'basic'),
  tlsVersion: gauge('probe_tls_version_info', 'Returns the TLS version used or NaN when unknown', 'full'),
  dnsPhase: gauge('probe_dns_duration_seconds', 'Duration of DNS request by phase'),
  dnsAnswerRrs: gauge('probe_dns_answer_rrs', 'Returns number of entries in the answer resource record list', 'full'),
  dnsAuthorityRrs: gauge(
    'probe_dns_authority_rrs',
    'Returns number of entries in the authority resource record list',
    'full',
  ),
  dnsAdditionalRrs: gauge(
    'probe_dns_additional_rrs',
    'Returns number of entries in the additional resource record list',
    'full',
  ),
  dnsQuerySucceeded: gauge(
    'probe_dns_query_succeeded',
    'Displays whether or not the query was executed successfully',
    'full',
  ),
  dnsSerial: gauge('probe_dns_serial', 'Returns the serial number of the zone', 'full'),
  grpcPhase: gauge('probe_grpc_duration_seconds', 'Duration of gRPC request by phase'),
  grpcStatusCode: gauge('probe_grpc_status_code', 'Response gRPC status code', 'full'),
  grpcSsl: gauge('probe_grpc_ssl', 'Indicates if SSL was used for the connection', 'full'),
  grpcHealth: gauge('probe_grpc_healthcheck_response', 'Response HealthCheck response', 'full'),
  icmpPhase: gauge('probe_icmp_duration_seconds', 'Duration of icmp request by phase', 'full'),
  icmpReplyHopLimit: gauge('probe_icmp_reply_hop_limit', 'Replied packet hop limit (TTL for ipv4)', 'full'),
} as const;

/** `probe_icmp_duration_seconds{phase}`, in blackbox's order. */
export const ICMP_PHASES = ['resolve', 'setup', 'rtt'] as const;

/** Per-check families of canary's own, beyond blackbox's. */
export const CANARY = {
  dnsRcode: gauge(
    'probe_dns_rcode',
    'Response code of the last DNS answer (0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, ...); -1 when none arrived',
    'full',
  ),
  flowStepSuccess: gauge(
    'probe_flow_step_success',
    'Whether the step of the last flow run succeeded; absent for steps the run did not reach',
    'full',
  ),
  flowStepDuration: gauge(
    'probe_flow_step_duration_seconds',
    'How long the step of the last flow run took, in seconds',
    'full',
  ),
  flowStepFailures: family(
    'canary_flow_step_failures_total',
    'Flow runs that failed, by the step they failed at.',
    'counter',
    'full',
  ),
  browserStepSuccess: gauge(
    'probe_browser_step_success',
    'Whether the step of the last browser journey succeeded (load is the target itself); absent for steps it did not reach',
    'full',
  ),
  browserStepDuration: gauge(
    'probe_browser_step_duration_seconds',
    'How long the step of the last browser journey took, in seconds',
    'full',
  ),
  browserLcp: gauge(
    'probe_browser_largest_contentful_paint_seconds',
    'Largest Contentful Paint of the page the last browser journey ended on, seconds from navigation start',
    'full',
  ),
  browserCls: gauge(
    'probe_browser_cumulative_layout_shift',
    'Cumulative Layout Shift score of the page the last browser journey ended on',
    'full',
  ),
  browserTtfb: gauge(
    'probe_browser_time_to_first_byte_seconds',
    'Time to First Byte of the document the last browser journey ended on, seconds from navigation start',
    'full',
  ),
  runs: family(
    'canary_probe_runs_total',
    'Check runs by result (success, failure) and failure reason (empty on success).',
    'counter',
    'basic',
  ),
  attempts: family(
    'canary_probe_attempts_total',
    'Check attempts, retries included, by result (success, failure) and failure reason (empty on success).',
    'counter',
    'basic',
  ),
  runDuration: family('canary_probe_duration_seconds', 'Wall time of check runs in seconds.', 'histogram', 'full'),
  skipped: family(
    'canary_scheduler_skipped_runs_total',
    'Check runs skipped because the previous run of the same check had not finished.',
    'counter',
    'basic',
  ),
  checkInfo: gauge(
    'canary_check_info',
    'Constant 1 per configured check; labels carry its target and the labels set on it in the config.',
    'basic',
  ),
  sloObjective: gauge(
    'canary_slo_objective_ratio',
    'Share (0-1) of runs of the check that its service level objective says must succeed.',
    'basic',
  ),
  sloWindow: gauge(
    'canary_slo_window_seconds',
    "Window over which the check's service level objective spends its error budget, in seconds.",
    'basic',
  ),
} as const;

/** The websocket kind's families, named as blackbox names the other probers' (`probe_<prober>_*`). */
export const WEBSOCKET = {
  phase: gauge('probe_websocket_duration_seconds', 'Duration of the WebSocket probe by phase', 'full'),
  statusCode: gauge(
    'probe_websocket_status_code',
    'Status code of the answer to the upgrade request (101 accepted)',
    'full',
  ),
  ssl: gauge('probe_websocket_ssl', 'Indicates if SSL was used for the connection', 'full'),
} as const;

/** How a `GET /probe` request ended: the `result` label of `canary_probe_requests_total`. */
export const PROBE_REQUEST_RESULTS = ['success', 'failure', 'bad_request', 'forbidden', 'overloaded'] as const;
export type ProbeRequestResult = (typeof PROBE_REQUEST_RESULTS)[number];

/** Families of the agent's own endpoints: one set per agent, not per check. */
export const ENDPOINT = {
  probeRequests: family(
    'canary_probe_requests_total',
    'GET /probe requests by module and result (success, failure: the probe; bad_request: unknown module, no target, bad timeout header; forbidden: target refused by server.probe.allow or always refused; overloaded: server.probe.maxInFlight reached).',
    'counter',
  ),
} as const;

/**
 * Buckets of `canary_probe_duration_seconds`: from a loopback answer (5 ms) to the
 * longest timeout worth waiting for (60 s), dense where API latency SLOs sit (0.1-1 s).
 */
export const PROBE_DURATION_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

/** Whether a check at `level` exports `family`. */
export function exportedAt(level: MetricsLevel, family: Family): boolean {
  return family.level === 'basic' || (family.level === 'full' && level === 'full');
}

/**
 * Blackbox's name for a negotiated TLS version (`TLS 1.3` for Node's `TLSv1.3`), and
 * `unknown` for anything else, as blackbox's `getTLSVersion` answers.
 */
export function tlsVersionName(version: string): string {
  const match = /^TLSv(\d(?:\.\d)?)$/.exec(version);
  if (!match?.[1]) return 'unknown';
  return `TLS ${match[1].includes('.') ? match[1] : `${match[1]}.0`}`;
}

/** gRPC's UNAVAILABLE: the status blackbox reports when no call completed. */
export const GRPC_UNAVAILABLE = 14;

/** `probe_grpc_status_code`: the call's status, or UNAVAILABLE when none arrived. */
export function grpcStatusCode(statusCode: number | undefined): number {
  return statusCode ?? GRPC_UNAVAILABLE;
}

/** `probe_http_version`: `1.1` as 1.1, and 0 without a response. */
export function httpVersionValue(http: HttpFacts | undefined): number {
  return http ? Number.parseFloat(http.version) || 0 : 0;
}

/**
 * `probe_http_content_length` as Go reports `resp.ContentLength`: the `Content-Length`
 * header, -1 when it is absent or unusable (a chunked body), 0 without a response.
 */
export function contentLength(http: HttpFacts | undefined): number {
  if (http === undefined) return 0;
  const header = http.headers['content-length'];
  return header !== undefined && /^\d+$/.test(header.trim()) ? Number(header.trim()) : -1;
}
