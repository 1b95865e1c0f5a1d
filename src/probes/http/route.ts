/**
 * How to reach one origin for one check: where to connect, which address family to
 * prefer, and the TLS settings. Built once per (check, origin), not per probe.
 */
import { isIP } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { ResolvedHttpCheck } from '../../config/types.js';
import { secureContextFor } from './tls-context.js';

/** Everything the connector needs to open a socket to an origin. */
export interface Route {
  /** `protocol//host:port`, the undici Client origin (and so the `Host` header). */
  origin: string;
  /** Host name without IPv6 brackets: what is resolved, and the default SNI name. */
  hostname: string;
  port: number;
  secure: boolean;
  /** Set when the host is an IP literal: nothing to resolve. */
  ip: string | undefined;
  /** SNI and certificate verification name; absent for IP literals without an override. */
  servername: string | undefined;
  /** Present when `secure`. */
  secureContext: SecureContext | undefined;
  rejectUnauthorized: boolean;
  family: ResolvedHttpCheck['http']['ipFamily'];
  fallback: boolean;
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
  return {
    origin: url.origin,
    hostname,
    port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
    secure,
    ip: literal ? hostname : undefined,
    servername: override ?? (literal ? undefined : hostname),
    secureContext: secure ? secureContextFor(check.tls) : undefined,
    rejectUnauthorized: !check.tls.insecure,
    family: check.http.ipFamily,
    fallback: check.http.ipFallback,
  };
}
