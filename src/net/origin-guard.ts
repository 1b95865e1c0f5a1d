/**
 * Refuses browser-driven requests to the control planes on this machine (the agent's
 * server, the fault API, the lab control API). A web page can reach 127.0.0.1 in two ways:
 * a cross-origin request, which browsers mark with `Origin`, and DNS rebinding, where the
 * page's own name resolves to 127.0.0.1 and the request carries that name in `Host`.
 *
 * The rule:
 * - `Origin`, when present, must be the server's own: its scheme (`http://`, `https://` on
 *   a TLS connection) plus the listen host, the address the connection arrived on,
 *   `localhost`, `127.0.0.1` or `[::1]`, with the port.
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

type Scheme = 'http' | 'https';

/** True for `localhost`, 127.0.0.0/8 and `::1` (also IPv4-mapped and bracketed). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return bare === 'localhost' || bare === '::1' || /^(?:::ffff:)?127\.\d+\.\d+\.\d+$/.test(bare);
}

/** The `host:port` forms a request to this server may name. */
function ownAuthorities(listenHost: string | undefined, req: IncomingMessage, scheme: Scheme): Set<string> {
  const port = req.socket.localPort ?? 0;
  const names: string[] = [...LOOPBACK_NAMES];
  if (listenHost !== undefined && !WILDCARDS.has(listenHost)) names.push(listenHost);
  if (req.socket.localAddress) names.push(req.socket.localAddress.replace(/^::ffff:/, ''));
  const authorities = names.map((name) => formatHostPort(name.replace(/^\[(.*)\]$/, '$1').toLowerCase(), port));
  // A client omits the default port from `Host` and `Origin`.
  if (port === (scheme === 'https' ? 443 : 80)) authorities.push(...names.map((name) => name.toLowerCase()));
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
  // A TLS socket says so; the same host and port over the other scheme is another origin.
  const scheme: Scheme = (req.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http';
  const own = ownAuthorities(listenHost, req, scheme);
  const origin = req.headers.origin;
  if (origin !== undefined && !own.has(originAuthority(origin, scheme))) {
    return `cross-origin request refused: Origin ${origin} is not this server`;
  }
  const host = req.headers.host;
  if (listenHost !== undefined && isLoopbackHost(listenHost) && host !== undefined && !own.has(host.toLowerCase())) {
    return `request refused: Host ${host} is not this loopback server (DNS rebinding?)`;
  }
  return undefined;
}

/** `host:port` of an origin of `scheme`; anything else (`null`, another scheme, junk) matches nothing. */
function originAuthority(origin: string, scheme: Scheme): string {
  const match = /^(https?):\/\/([^/]+)$/i.exec(origin.trim());
  return match && match[1]!.toLowerCase() === scheme ? match[2]!.toLowerCase() : '\0';
}
