/**
 * How to reach one origin for one check: where to connect, which address family to
 * prefer, and the TLS settings. Built once per (check, origin), not per probe.
 */
import { isIP } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { ResolvedHttpCheck } from '../../config/types.js';
import { secureContextFor } from './tls-context.js';

/** Where a socket is dialled: a host to resolve (or an IP literal) and a port. */
export interface Endpoint {
  /** Host name without IPv6 brackets: what is resolved. */
  hostname: string;
  port: number;
  /** Set when the host is an IP literal: nothing to resolve. */
  ip: string | undefined;
  family: ResolvedHttpCheck['http']['ipFamily'];
  fallback: boolean;
}

/** `http.proxy`, ready to dial. */
export interface ProxyRoute extends Endpoint {
  /** `Basic ...` from the credentials in the proxy URL, when it has some. */
  authorization: string | undefined;
  /** `http.proxy.connectHeaders`, sent with each CONNECT. */
  connectHeaders: Readonly<Record<string, string>>;
}

/** Everything the connector needs to open a socket to an origin. */
export interface Route extends Endpoint {
  /** `protocol//host:port`, the undici Client origin (and so the `Host` header). */
  origin: string;
  /** `host:port` as a CONNECT request names it (IPv6 in brackets). */
  authority: string;
  secure: boolean;
  /** SNI and certificate verification name; absent for IP literals without an override. */
  servername: string | undefined;
  /** Present when `secure`. */
  secureContext: SecureContext | undefined;
  rejectUnauthorized: boolean;
  /** Set when the check goes through `http.proxy`: the socket is dialled there. */
  proxy: ProxyRoute | undefined;
}

/** `Basic ...` for the credentials in a proxy URL, when it has some. */
export function proxyAuthorization(url: URL): string | undefined {
  if (url.username === '' && url.password === '') return undefined;
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
}

/** The proxy of `check`, parsed; its schema admits only absolute http:// URLs. */
function proxyRoute(check: ResolvedHttpCheck): ProxyRoute | undefined {
  const proxy = check.http.proxy;
  if (proxy === undefined) return undefined;
  const url = new URL(proxy.url);
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return {
    hostname,
    port: url.port === '' ? 80 : Number(url.port),
    ip: isIP(hostname) !== 0 ? hostname : undefined,
    family: check.http.ipFamily,
    fallback: check.http.ipFallback,
    authorization: proxyAuthorization(url),
    connectHeaders: proxy.connectHeaders,
  };
}

/**
 * The route for `url` under `check`'s settings. `tls.serverName` applies to the
 * check's own host only: a redirect to another host is verified against that host.
 * Throws a ProbeFailure (`tls`) when the check's certificate files cannot be loaded.
 */
export function routeFor(url: URL, check: ResolvedHttpCheck, targetHostname: string): Route {
  const secure = url.protocol === 'https:';
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const literal = isIP(hostname) !== 0;
  const override = hostname === targetHostname ? check.tls.serverName : undefined;
  const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
  return {
    origin: url.origin,
    authority: `${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`,
    hostname,
    port,
    secure,
    ip: literal ? hostname : undefined,
    servername: override ?? (literal ? undefined : hostname),
    secureContext: secure ? secureContextFor(check.tls) : undefined,
    rejectUnauthorized: !check.tls.insecure,
    family: check.http.ipFamily,
    fallback: check.http.ipFallback,
    proxy: proxyRoute(check),
  };
}
