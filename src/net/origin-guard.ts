/**
 * Refuses browser-driven requests to the control planes on this machine (the agent's
 * server, the fault API, the lab control API). A web page can reach 127.0.0.1 in two ways:
 * a cross-origin request, which browsers mark with `Origin`, and DNS rebinding, where the
 * page's own name resolves to 127.0.0.1 and the request carries that name in `Host`.
 *
 * The rule:
 * - `Origin`, when present, must be the server's own: `http://` plus the listen host, the
 *   address the connection arrived on, `localhost`, `127.0.0.1` or `[::1]`, with the port.
 *   It applies to every method and every listen address. Curl and Prometheus send none.
 * - `Host` must name the listen host, `localhost`, `127.0.0.1` or `[::1]` with the port,
 *   but only when the server listens on loopback. On a wildcard (`0.0.0.0`, `::`) or other
 *   address, remote scrapers use whatever name points at the machine, so it is not checked.
 */
import type { IncomingMessage } from 'node:http';
import { formatHostPort } from './listen.js';

/** The names a loopback listener answers to; the lab's control API may bind only these. */
export const LOOPBACK_NAMES = ['127.0.0.1', '::1', 'localhost'] as const;
const WILDCARDS = new Set(['', '0.0.0.0', '::']);

/** True for `localhost`, 127.0.0.0/8 and `::1` (also IPv4-mapped and bracketed). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return bare === 'localhost' || bare === '::1' || /^(?:::ffff:)?127\.\d+\.\d+\.\d+$/.test(bare);
}

/** The `host:port` forms a request to this server may name. */
function ownAuthorities(listenHost: string | undefined, req: IncomingMessage): Set<string> {
  const port = req.socket.localPort ?? 0;
  const names: string[] = [...LOOPBACK_NAMES];
  if (listenHost !== undefined && !WILDCARDS.has(listenHost)) names.push(listenHost);
  if (req.socket.localAddress) names.push(req.socket.localAddress.replace(/^::ffff:/, ''));
  const authorities = names.map((name) => formatHostPort(name.replace(/^\[(.*)\]$/, '$1').toLowerCase(), port));
  // A client omits the default port from `Host` and `Origin`.
  if (port === 80) authorities.push(...names.map((name) => name.toLowerCase()));
  return new Set(authorities);
}

/**
 * Why `req` must be refused with 403, or `undefined` when it may proceed.
 *
 * @param listenHost the host the server was told to listen on (`undefined`: every interface)
 *
 * @example
 * const reason = foreignRequestReason(req, '127.0.0.1');
 * if (reason) return reply(403, reason);
 */
export function foreignRequestReason(req: IncomingMessage, listenHost: string | undefined): string | undefined {
  const own = ownAuthorities(listenHost, req);
  const origin = req.headers.origin;
  if (origin !== undefined && !own.has(originAuthority(origin))) {
    return `cross-origin request refused: Origin ${origin} is not this server`;
  }
  const host = req.headers.host;
  if (listenHost !== undefined && isLoopbackHost(listenHost) && host !== undefined && !own.has(host.toLowerCase())) {
    return `request refused: Host ${host} is not this loopback server (DNS rebinding?)`;
  }
  return undefined;
}

/** `host:port` of an `http:` origin; anything else (`null`, `https:`, junk) matches nothing. */
function originAuthority(origin: string): string {
  const match = /^http:\/\/([^/]+)$/i.exec(origin.trim());
  return match ? match[1]!.toLowerCase() : '\0';
}
