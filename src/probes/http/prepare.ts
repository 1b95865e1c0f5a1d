/**
 * The parts of a request that depend only on the check: parsed URL, route, header list
 * with the default user agent, limits. Computed on a check's first run and cached by
 * check object (a reloaded config brings new objects, so nothing goes stale), so a run
 * parses no URL and builds no header list of its own.
 */
import type { ResolvedHttpCheck } from '../../config/types.js';
import { FAILURE_REASONS } from '../../results/reasons.js';
import { ProbeFailure } from './classify.js';
import type { ExchangeOptions } from './exchange.js';
import { routeFor, type Route } from './route.js';
import { VERSION } from '../../version.js';

/** A check's request, ready to send. */
export interface Prepared {
  url: URL;
  route: Route;
  method: string;
  body: string | undefined;
  /** Flat `name, value, ...` list with lower-cased names, as undici accepts it. */
  headers: string[];
  exchange: ExchangeOptions;
}

/** Sent unless the check sets its own, so target owners can tell probes from users. */
const USER_AGENT = `canary/${VERSION}`;

const cache = new WeakMap<ResolvedHttpCheck, Prepared>();

function parseTarget(target: string): URL {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new ProbeFailure(FAILURE_REASONS.unknown, `invalid target URL: ${target}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ProbeFailure(FAILURE_REASONS.unknown, `target must be an http:// or https:// URL, got ${url.protocol}`);
  }
  return url;
}

function baseHeaders(configured: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  let agentSet = false;
  for (const [name, value] of Object.entries(configured)) {
    const lower = name.toLowerCase();
    if (lower === 'user-agent') agentSet = true;
    out.push(lower, value);
  }
  if (!agentSet) out.push('user-agent', USER_AGENT);
  return out;
}

/**
 * The prepared request for `check`. Throws a ProbeFailure when the target is not an
 * http(s) URL or the TLS files cannot be loaded; such failures are not cached, so a
 * fixed file is picked up on the next run.
 */
export function prepare(check: ResolvedHttpCheck): Prepared {
  let prepared = cache.get(check);
  if (prepared === undefined) {
    const url = parseTarget(check.target);
    prepared = {
      url,
      route: routeFor(url, check, url.hostname),
      method: check.http.method,
      body: check.http.body,
      headers: baseHeaders(check.http.headers),
      exchange: {
        maxBodySize: check.http.maxBodySize,
        keepBody: check.expect.body.length > 0 || check.expect.json.length > 0,
      },
    };
    cache.set(check, prepared);
  }
  return prepared;
}

/** Headers never carried to another host on a redirect (as browsers and Go's client do). */
const CREDENTIALS = ['authorization', 'cookie', 'proxy-authorization'];
/** Headers that describe a request body, dropped when a redirect turns the request into a GET. */
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location'];

/** Which configured headers a hop leaves out; bit flags so the common case allocates nothing. */
export const DROP_CREDENTIALS = 1;
export const DROP_BODY_HEADERS = 2;
/**
 * The check's own headers: a redirect to another host carries none of them unless the check
 * keeps them. The user agent stays (it says who asks), and so does what describes a body
 * that still goes along (a 307 or 308 keeps the body).
 */
export const DROP_CONFIGURED = 4;

function dropped(name: string, drop: number): boolean {
  return (
    ((drop & DROP_CONFIGURED) !== 0 && name !== 'user-agent' && !BODY_HEADERS.includes(name)) ||
    ((drop & DROP_CREDENTIALS) !== 0 && CREDENTIALS.includes(name)) ||
    ((drop & DROP_BODY_HEADERS) !== 0 && BODY_HEADERS.includes(name))
  );
}

/**
 * The header list for one hop: the check's headers, minus those `drop` names, with the
 * context's headers (trace context) added, overriding a configured header of the same
 * name. Returns the cached list itself when there is nothing to change.
 */
export function hopHeaders(
  base: string[],
  extra: Readonly<Record<string, string>> | undefined,
  drop: number,
): string[] {
  if (drop === 0 && (extra === undefined || Object.keys(extra).length === 0)) return base;
  const out: string[] = [];
  const extraNames = extra === undefined ? [] : Object.keys(extra).map((n) => n.toLowerCase());
  for (let i = 0; i + 1 < base.length; i += 2) {
    const name = base[i] as string;
    if (!dropped(name, drop) && !extraNames.includes(name)) out.push(name, base[i + 1] as string);
  }
  if (extra !== undefined) for (const [name, value] of Object.entries(extra)) out.push(name, value);
  return out;
}
