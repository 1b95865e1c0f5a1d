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
  /**
   * Credentials the probe encodes itself (Basic user:password, the proxy's): the sinks
   * know the password, not its base64, so an echo of the header is redacted by the probe.
   */
  secrets: string[];
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

function basicCredentials(auth: ResolvedHttpCheck['http']['auth']): string | undefined {
  if (auth?.basic === undefined) return undefined;
  return Buffer.from(`${auth.basic.username}:${auth.basic.password}`, 'utf8').toString('base64');
}

/** `Authorization` from `http.auth.basic` or `.bearer`; OAuth2 tokens are added per run. */
function fixedAuthorization(auth: ResolvedHttpCheck['http']['auth']): string | undefined {
  const basic = basicCredentials(auth);
  if (basic !== undefined) return `Basic ${basic}`;
  if (auth?.bearer !== undefined) return `Bearer ${auth.bearer.token}`;
  return undefined;
}

function baseHeaders(check: ResolvedHttpCheck): string[] {
  const out: string[] = [];
  let agentSet = false;
  // `http.auth` decides the Authorization header: a configured one gives way to it.
  const authorization = fixedAuthorization(check.http.auth);
  const replaced = check.http.auth === undefined ? undefined : 'authorization';
  for (const [name, value] of Object.entries(check.http.headers)) {
    const lower = name.toLowerCase();
    if (lower === 'user-agent') agentSet = true;
    if (lower !== replaced) out.push(lower, value);
  }
  if (authorization !== undefined) out.push('authorization', authorization);
  if (!agentSet) out.push('user-agent', USER_AGENT);
  const compression = check.http.compression;
  const accepts = Object.keys(check.http.headers).some((name) => name.toLowerCase() === 'accept-encoding');
  if (compression !== undefined && compression !== 'identity' && !accepts) out.push('accept-encoding', compression);
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
    const route = routeFor(url, check, url.hostname);
    const secrets = [basicCredentials(check.http.auth), route.proxy?.authorization?.slice('Basic '.length)];
    prepared = {
      url,
      route,
      method: check.http.method,
      body: check.http.body,
      headers: baseHeaders(check),
      exchange: {
        maxBodySize: check.http.maxBodySize,
        keepBody: check.expect.body.length > 0 || check.expect.json.length > 0 || check.expect.cel.length > 0,
        ...(check.http.compression !== undefined && check.http.compression !== 'identity'
          ? { compression: check.http.compression }
          : {}),
      },
      secrets: secrets.filter((s): s is string => s !== undefined),
    };
    cache.set(check, prepared);
  }
  return prepared;
}

/**
 * Headers never carried to another host on a redirect: credentials (as browsers and Go's
 * client do), and a Host override, which names the check's own host.
 */
const CREDENTIALS = ['authorization', 'cookie', 'proxy-authorization', 'host'];
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
  added?: readonly string[],
): string[] {
  if (drop === 0 && added === undefined && (extra === undefined || Object.keys(extra).length === 0)) return base;
  const out: string[] = [];
  const extraNames = extra === undefined ? [] : Object.keys(extra).map((n) => n.toLowerCase());
  for (let i = 0; i + 1 < base.length; i += 2) {
    const name = base[i] as string;
    if (!dropped(name, drop) && !extraNames.includes(name)) out.push(name, base[i + 1] as string);
  }
  if (extra !== undefined) for (const [name, value] of Object.entries(extra)) out.push(name, value);
  if (added !== undefined) out.push(...added);
  return out;
}

/**
 * What a hop adds to the check's headers: the run's OAuth2 token (never to another host,
 * like any credential) and, for a request sent to a forward proxy, the proxy's credentials.
 */
export function addedHeaders(token: string | undefined, drop: number, route: Route): string[] | undefined {
  const proxyAuth = route.proxy !== undefined && !route.secure ? route.proxy.authorization : undefined;
  const sendToken = token !== undefined && (drop & DROP_CREDENTIALS) === 0;
  if (!sendToken && proxyAuth === undefined) return undefined;
  const out: string[] = [];
  if (sendToken) out.push('authorization', `Bearer ${token}`);
  if (proxyAuth !== undefined) out.push('proxy-authorization', proxyAuth);
  return out;
}

/** The request target of a hop: origin-form, or absolute-form for a forward proxy (RFC 9112 §3.2.2). */
export function requestPath(url: URL, route: Route): string {
  const path = url.pathname + url.search;
  return route.proxy !== undefined && !route.secure ? `${url.origin}${path}` : path;
}
