/**
 * What a check run looks like as span attributes and events: OpenTelemetry HTTP semantic
 * conventions for the request, `canary.*` for what only a canary knows.
 */
import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import type { ResolvedCheck } from '../../config/types.js';
import { redactUrl } from '../../net/redact-url.js';
import type { CheckResult, HttpPhase } from '../../results/types.js';
import { kindRequestAttributes, kindResponseAttributes } from './kind-attributes.js';
import type { PhaseEvent } from './span-event.js';

/** Phases in the order they happen; events are laid out in this order. */
const PHASES: readonly HttpPhase[] = ['resolve', 'connect', 'tls', 'processing', 'transfer'];

/** Name of the CLIENT span: the HTTP method, as the conventions name client spans. */
export function clientSpanName(check: ResolvedCheck): string {
  return check.kind === 'http' ? check.http.method : check.kind;
}

/** Attributes of the run's root span, known before it starts. */
export function runAttributes(check: ResolvedCheck): Attributes {
  return { 'canary.check': check.name, 'canary.kind': check.kind };
}

/** Attributes of the CLIENT span known before the request goes out; other kinds' come from `kindRequestAttributes`. */
export function requestAttributes(check: ResolvedCheck): Attributes {
  if (check.kind !== 'http') return kindRequestAttributes(check);
  const url = new URL(check.target);
  const scheme = url.protocol.slice(0, -1);
  return {
    [ATTR_HTTP_REQUEST_METHOD]: check.http.method,
    [ATTR_URL_FULL]: redactUrl(check.target),
    [ATTR_URL_SCHEME]: scheme,
    [ATTR_SERVER_ADDRESS]: url.hostname.replace(/^\[|\]$/g, ''),
    [ATTR_SERVER_PORT]: url.port ? Number(url.port) : scheme === 'https' ? 443 : 80,
    'canary.check': check.name,
  };
}

/**
 * `error.type` of a failed run: the status code when the service answered with an error
 * status (as the conventions ask of HTTP clients), otherwise the canary's failure reason.
 */
export function errorType(result: CheckResult): string | undefined {
  if (result.ok) return undefined;
  const status = result.observation.http?.status ?? 0;
  if (status >= 400) return String(status);
  return result.reason ?? 'unknown';
}

/** Attributes of the CLIENT span from the result. */
export function responseAttributes(result: CheckResult): Attributes {
  const attributes: Attributes = {
    'canary.result': result.ok ? 'success' : 'failure',
  };
  const http = result.observation.http;
  if (http && http.status > 0) {
    attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] = http.status;
    attributes[ATTR_NETWORK_PROTOCOL_VERSION] = http.version;
    attributes['http.response.body.size'] = http.bodyBytes;
    attributes['canary.http.redirects'] = http.redirects;
    if (http.redirects > 0) attributes['canary.http.final_url'] = redactUrl(http.finalUrl);
  }
  const tls = result.observation.tls;
  if (tls) {
    attributes['tls.protocol.version'] = tls.version.replace(/^TLSv/, '');
    attributes['tls.cipher'] = tls.cipher;
    attributes['tls.server.not_after'] = new Date(tls.earliestCertExpiry * 1000).toISOString();
  }
  Object.assign(attributes, kindResponseAttributes(result));
  const type = errorType(result);
  if (type !== undefined) attributes[ATTR_ERROR_TYPE] = type;
  if (result.reason) attributes['canary.reason'] = result.reason;
  return attributes;
}

/** Attributes of the root span from the result. */
export function verdictAttributes(result: CheckResult): Attributes {
  const attributes: Attributes = {
    'canary.result': result.ok ? 'success' : 'failure',
    'canary.attempt': result.attempt,
  };
  if (result.reason) attributes['canary.reason'] = result.reason;
  const failed = result.outcomes.filter((o) => !o.ok).map((o) => o.name);
  if (failed.length > 0) attributes['canary.failed_expectations'] = failed;
  return attributes;
}

/**
 * Phase timings as span events, one per phase that happened, each stamped at the phase's
 * end. The probe measures phases as durations (summed over redirects), so the events are
 * laid back to back from the span's start in the order the phases happen: exact for a
 * single request, an approximation of order only when redirects were followed.
 */
export function phaseEvents(result: CheckResult, startMs: number): PhaseEvent[] {
  const events: PhaseEvent[] = [];
  let at = startMs;
  for (const phase of PHASES) {
    const seconds = result.observation.phases[phase];
    if (seconds === undefined) continue;
    at += seconds * 1000;
    events.push({ name: phase, time: at, attributes: { 'canary.phase': phase, 'canary.phase.duration_s': seconds } });
  }
  return events;
}

/** Characters a W3C tracestate value may not hold (and `,` `=` which delimit it). */
const TRACESTATE_UNSAFE = /[^\x20-\x2b\x2d-\x3c\x3e-\x7e]/g;

/**
 * The value of our `tracestate` entry: which canary check and region sent the request,
 * so the service's side can tell synthetic traffic apart. At most 256 characters.
 */
export function traceStateValue(check: string, region: string): string {
  return `c:${check};r:${region}`.replace(TRACESTATE_UNSAFE, '_').slice(0, 256).trimEnd();
}
