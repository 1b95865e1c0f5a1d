/**
 * Redirects, followed by the probe itself so each hop is counted and timed: which
 * statuses redirect, what method and body the next request carries, and when to stop.
 */
import { redactUrl } from '../../net/redact-url.js';
import { FAILURE_REASONS } from '../../results/reasons.js';
import type { Failure } from './classify.js';
import { DROP_BODY_HEADERS, DROP_CONFIGURED, DROP_CREDENTIALS, type Prepared } from './prepare.js';

/** The request of the current hop; mutated in place as redirects are followed. */
export interface Hop {
  url: URL;
  method: string;
  body: string | undefined;
  /** Header drop flags for this hop (see prepare.ts). */
  drop: number;
  /** Redirects followed so far. */
  redirects: number;
  /** URLs requested so far; created on the first redirect. */
  seen: Set<string> | undefined;
}

/** The first hop: the check's own request. */
export function firstHop(prepared: Prepared): Hop {
  return { url: prepared.url, method: prepared.method, body: prepared.body, drop: 0, redirects: 0, seen: undefined };
}

/** Whether a status asks the client to go elsewhere (with a Location). */
export function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/** 303 always becomes GET; 301 and 302 turn a POST into a GET, as browsers do; HEAD stays HEAD. */
export function redirectMethod(status: number, method: string): string {
  if (method === 'HEAD') return method;
  if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) return 'GET';
  return method;
}

function redirectFailure(message: string): Failure {
  return { reason: FAILURE_REASONS.redirects, message };
}

/**
 * Moves `hop` on to `location` (relative to the current URL), or says why not: over
 * `maxRedirects`, a URL already requested in this chain (a loop), or an unusable
 * Location. Returns undefined when the hop now describes the next request.
 */
export function followRedirect(
  hop: Hop,
  status: number,
  location: string,
  maxRedirects: number,
  targetHost: string,
  keepHeaders = false,
): Failure | undefined {
  let next: URL;
  try {
    next = new URL(location, hop.url);
  } catch {
    return redirectFailure(`redirect ${status} to an invalid Location: ${redactUrl(location)}`);
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    return redirectFailure(`redirect ${status} to a non-HTTP Location: ${redactUrl(next.href)}`);
  }
  hop.seen ??= new Set([hop.url.href]);
  if (hop.seen.has(next.href)) {
    return redirectFailure(
      `redirect loop: ${redactUrl(hop.url.href)} redirects back to ${redactUrl(next.href)}, already visited after ${hop.redirects} redirects`,
    );
  }
  if (hop.redirects >= maxRedirects) {
    return redirectFailure(
      `stopped after ${hop.redirects} redirects (http.maxRedirects is ${maxRedirects}); next was ${redactUrl(next.href)}`,
    );
  }
  hop.seen.add(next.href);
  hop.redirects++;
  const method = redirectMethod(status, hop.method);
  if (method !== hop.method) {
    hop.method = method;
    hop.body = undefined;
    hop.drop |= DROP_BODY_HEADERS;
  }
  // Credentials go only to the check's own host, judged hop by hop like Go's client; the
  // other configured headers (API keys, tenant ids) too, unless the check keeps them.
  const foreign = keepHeaders ? DROP_CREDENTIALS : DROP_CREDENTIALS | DROP_CONFIGURED;
  hop.drop = next.host === targetHost ? hop.drop & ~foreign : hop.drop | foreign;
  hop.url = next;
  return undefined;
}
