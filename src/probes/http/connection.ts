/**
 * The undici `connect` function for one Client: resolves the name itself (so the lookup
 * is timed and the address family chosen), dials the chosen IP, and records the
 * `resolve`, `connect` and `tls` phases of whichever attempt is current.
 */
import { promises as dns, type LookupAddress } from 'node:dns';
import { connect as netConnect, type Socket } from 'node:net';
import {
  checkServerIdentity,
  connect as tlsConnect,
  type DetailedPeerCertificate,
  type PeerCertificate,
  type TLSSocket,
} from 'node:tls';
import type { buildConnector } from 'undici';
import type { TlsFacts } from '../../results/types.js';
import { vetoed } from '../types.js';
import type { Attempt } from './attempt.js';
import type { Endpoint, Route } from './route.js';
import { readTlsFacts } from './tls-facts.js';
import { openTunnel } from './tunnel.js';

/**
 * How a one-use connection is ended once its response is read: with this one error, made
 * once. undici keeps a socket's error and reports it when the socket closes; without one
 * it builds a SocketError, stack trace and all, for every socket it sees close (several
 * percent of a probe's CPU). The `UND_ERR_INFO` code tells undici that nothing failed.
 */
export const RESPONSE_READ = Object.assign(new Error('response read; connection closed by the probe'), {
  code: 'UND_ERR_INFO',
});

/** The first error each socket emitted; only sockets that failed have an entry. */
const firstErrors = new WeakMap<Socket, Error>();

/**
 * Kept on every socket we open, so a hostile peer's late error never goes unhandled. It
 * remembers the first error because undici reports a peer's TLS alert followed by a
 * close as "other side closed", losing the alert that says why.
 */
function remember(this: Socket, err: Error): void {
  if (err !== RESPONSE_READ && !firstErrors.has(this)) firstErrors.set(this, err);
}

function noAddress(hostname: string, family: string): Error {
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (no ${family} address)`), {
    code: 'ENOTFOUND',
    hostname,
  });
}

/** Picks an address by the preferred family; `auto` keeps the resolver's order. */
export function pickAddress(
  all: readonly LookupAddress[],
  route: Pick<Endpoint, 'hostname' | 'family' | 'fallback'>,
): LookupAddress {
  const first = all[0];
  if (first === undefined) throw noAddress(route.hostname, 'IP');
  if (route.family === 'auto') return first;
  const want = route.family === 'ipv4' ? 4 : 6;
  const preferred = all.find((a) => a.family === want);
  if (preferred !== undefined) return preferred;
  if (route.fallback) return first;
  throw noAddress(route.hostname, route.family === 'ipv4' ? 'IPv4' : 'IPv6');
}

async function resolve(route: Endpoint, attempt: Attempt): Promise<string> {
  if (route.ip !== undefined) {
    attempt.add('resolveMs', 0);
    return route.ip;
  }
  attempt.stage = 'resolve';
  const started = performance.now();
  try {
    return pickAddress(await dns.lookup(route.hostname, { all: true }), route).address;
  } finally {
    attempt.add('resolveMs', performance.now() - started);
  }
}

/** A dialled socket and, for TLS, the certificate node seen by hostname verification. */
interface Dialled {
  socket: Socket;
  presented: DetailedPeerCertificate | undefined;
}

/** Where `dial` goes: an address and port, or a socket already open (a proxy tunnel) to start TLS on. */
type Via = { address: string; port: number } | { over: Socket };

/** The socket `dial` waits on; over an open socket it is always TLS. */
function openSocket(route: Route, via: Via, secure: boolean, verify: typeof checkServerIdentity): Socket {
  const tls = {
    servername: route.servername,
    secureContext: route.secureContext,
    rejectUnauthorized: route.rejectUnauthorized,
    checkServerIdentity: verify,
  };
  if ('over' in via) return tlsConnect({ socket: via.over, ...tls });
  if (secure) return tlsConnect({ host: via.address, port: via.port, ...tls });
  return netConnect({ host: via.address, port: via.port, noDelay: true });
}

/**
 * Opens the socket; settles on `connect` (plain) or `secureConnect` (TLS). Over an open
 * socket there is no connect to wait for: the TLS handshake starts at once.
 */
function dial(route: Route, via: Via, secure: boolean, attempt: Attempt): Promise<Dialled> {
  return new Promise<Dialled>((done, fail) => {
    let presented: DetailedPeerCertificate | undefined;
    // Node builds the detailed peer certificate to verify the name; keep it for the facts.
    const verifyName = (host: string, cert: PeerCertificate): Error | undefined => {
      presented = cert as DetailedPeerCertificate;
      return checkServerIdentity(host, cert);
    };
    const over = 'over' in via ? via.over : undefined;
    attempt.stage = over === undefined ? 'connect' : 'tls';
    const started = performance.now();
    let connectedAt = started;
    const socket = openSocket(route, via, secure, verifyName);
    attempt.dialing = socket;
    socket.on('error', remember);
    const finish = (err?: Error): void => {
      socket.off('error', finish).off('close', onClose).off('connect', onConnect).off('secureConnect', finish);
      attempt.dialing = undefined;
      if (err === undefined) {
        if (secure) attempt.add('tlsMs', performance.now() - connectedAt);
        done({ socket, presented });
      } else {
        socket.destroy();
        over?.destroy();
        fail(err);
      }
    };
    const onClose = (): void =>
      finish(Object.assign(new Error('socket closed while connecting'), { code: 'ECONNRESET' }));
    const onConnect = (): void => {
      connectedAt = performance.now();
      attempt.add('connectMs', connectedAt - started);
      if (!secure) finish();
      else attempt.stage = 'tls';
    };
    socket.once('error', finish).once('close', onClose);
    if (over === undefined) socket.once('connect', onConnect);
    if (secure) socket.once('secureConnect', finish);
  });
}

/**
 * One per undici Client. `attempt` is set by the probe before each request so a
 * reconnect of a kept-alive client is charged to the attempt that needed it; `tls`
 * holds the facts of the client's current connection, which may outlive an attempt.
 */
export class Connection {
  readonly route: Route;
  attempt: Attempt | undefined;
  tls: TlsFacts | undefined;
  /** The socket last handed to undici. */
  socket: Socket | undefined;
  /** The function handed to undici as `connect`. */
  readonly connect: buildConnector.connector;

  constructor(route: Route) {
    this.route = route;
    this.connect = (_options, callback) => void this.#open(callback);
  }

  /**
   * The error that best explains a failed exchange: for undici's generic socket error,
   * the error the socket itself raised first (a TLS alert, ECONNRESET), when there was one.
   */
  explain(err: Error): Error {
    if ((err as { code?: unknown }).code !== 'UND_ERR_SOCKET' || this.socket === undefined) return err;
    return firstErrors.get(this.socket) ?? err;
  }

  /**
   * Resolves, asks the address policy and dials: the target, or `http.proxy` (then, for
   * an https target, a CONNECT tunnel and TLS through it). With a proxy, what is resolved
   * and vetted is the proxy's address, and the target's when it is an IP literal: a name
   * is the proxy's to resolve (often one only the proxy can).
   */
  async #dial(attempt: Attempt): Promise<Dialled> {
    const route = this.route;
    const hop: Endpoint = route.proxy ?? route;
    const address = await resolve(hop, attempt);
    attempt.signal.throwIfAborted();
    const refused =
      vetoed(attempt.vet, hop.hostname, address, hop.port) ??
      (route.proxy !== undefined && route.ip !== undefined
        ? vetoed(attempt.vet, route.hostname, route.ip, route.port)
        : undefined);
    if (refused !== undefined) throw refused;
    if (route.proxy === undefined) return dial(route, { address, port: route.port }, route.secure, attempt);
    const raw = await dial(route, { address, port: hop.port }, false, attempt);
    if (!route.secure) return raw;
    await openTunnel(raw.socket, route, route.proxy, attempt);
    return dial(route, { over: raw.socket }, true, attempt);
  }

  async #open(callback: buildConnector.Callback): Promise<void> {
    const attempt = this.attempt;
    if (attempt === undefined) {
      callback(new Error('connection opened outside an attempt'), null);
      return;
    }
    let socket: Socket | undefined;
    this.tls = undefined;
    try {
      const dialled = await this.#dial(attempt);
      socket = dialled.socket;
      this.tls = this.route.secure ? readTlsFacts(socket as TLSSocket, dialled.presented) : undefined;
    } catch (err) {
      socket?.destroy();
      callback(err instanceof Error ? err : new Error(String(err)), null);
      return;
    }
    this.socket = socket;
    attempt.stage = 'processing';
    callback(null, socket);
  }
}
