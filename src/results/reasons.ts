/**
 * The closed set of failure reasons. Each is a label value on
 * `canary_probe_runs_total{reason}`, an attribute on spans and a field in logs, so the
 * set only grows on purpose and every member is documented in docs/metrics.md.
 */
export const FAILURE_REASONS = {
  /** The name did not resolve (NXDOMAIN, no answer, resolver failure). */
  dns: 'dns',
  /** The TCP connection failed for a reason other than a refusal (unreachable, no route). */
  connect: 'connect',
  /** The peer refused the connection (nothing listening: RST to our SYN). */
  refused: 'refused',
  /** The peer reset or closed the connection before a complete response. */
  reset: 'reset',
  /** The TLS handshake failed: untrusted or expired certificate, name mismatch, protocol. */
  tls: 'tls',
  /** The attempt did not finish within its timeout. */
  timeout: 'timeout',
  /** The response status was not one the check expects. */
  http_status: 'http_status',
  /** A response arrived but an expectation on it (header, body, JSON, duration, certificate) failed. */
  assertion: 'assertion',
  /** The response body exceeded the read cap; the connection was dropped. */
  body_too_large: 'body_too_large',
  /** The response headers exceeded the header size cap. */
  headers_too_large: 'headers_too_large',
  /** Redirects exceeded the limit, or led back to a URL already visited. */
  redirects: 'redirects',
  /** The credentials for the request could not be obtained (an OAuth2 token request failed). */
  auth: 'auth',
  /** The peer did not speak the expected protocol (garbage instead of HTTP). */
  protocol: 'protocol',
  /** An ICMP error answered the echo request (destination unreachable, time exceeded), or there is no route. */
  unreachable: 'unreachable',
  /** The run was cancelled because the agent is stopping. */
  aborted: 'aborted',
  /** Anything else; the message says what. Seeing it is a bug report waiting to be filed. */
  unknown: 'unknown',
} as const;

export type FailureReason = (typeof FAILURE_REASONS)[keyof typeof FAILURE_REASONS];

export const ALL_FAILURE_REASONS: readonly FailureReason[] = Object.values(FAILURE_REASONS);

/** Each reason as a few words for people (the status API and `canary status`), not a label value. */
export const REASON_WORDS: Readonly<Record<FailureReason, string>> = {
  dns: 'name did not resolve',
  connect: 'connection failed',
  refused: 'connection refused',
  reset: 'connection reset',
  tls: 'TLS handshake failed',
  timeout: 'timed out',
  http_status: 'unexpected HTTP status',
  assertion: 'expectation failed',
  body_too_large: 'response body too large',
  headers_too_large: 'response headers too large',
  redirects: 'too many redirects',
  auth: 'credentials not obtained',
  protocol: 'protocol error',
  unreachable: 'destination unreachable',
  aborted: 'aborted (agent stopping)',
  unknown: 'unknown error',
};
