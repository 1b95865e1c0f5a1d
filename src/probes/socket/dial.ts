/**
 * Opens a TCP connection the way the tcp and tls probes need it: the name resolved here
 * (timed, family chosen), the socket dialled to the chosen IP, and TLS, when asked, started
 * with verification *reported* rather than enforced, so a bad certificate still yields its
 * facts (expiry, chain, name) and the probe decides whether it fails.
 */
import { promises as dns } from 'node:dns';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';
import type { TlsOptions } from '../../config/schema/http.js';
import type { TlsFacts } from '../../results/types.js';
import { secureContextFor } from '../http/tls-context.js';
import { readTlsFacts } from '../http/tls-facts.js';
import { vetoed } from '../types.js';
import type { SocketAttempt } from './attempt.js';

/** Where to connect and how. */
export interface DialTarget {
  host: string;
  port: number;
  family: 'auto' | 'ipv4' | 'ipv6';
  /** The local address to connect from; the system picks one when absent. */
  sourceIp?: string | undefined;
  /** TLS settings; absent for a plain connection. */
  tls?: Pick<TlsOptions, 'ca' | 'cert' | 'key' | 'serverName'>;
}

/** An open connection and, for TLS, what its handshake showed. */
export interface Dialled {
  socket: Socket;
  tls?: TlsFacts;
}

async function resolveHost(target: DialTarget, attempt: SocketAttempt): Promise<string> {
  if (isIP(target.host) !== 0) {
    attempt.add('resolve', 0);
    return target.host;
  }
  attempt.stage = 'name resolution';
  const started = performance.now();
  try {
    const all = await dns.lookup(target.host, { all: true });
    // The preferred family when the name has it, else whatever the resolver gave first.
    const want = target.family === 'ipv4' ? 4 : target.family === 'ipv6' ? 6 : 0;
    const chosen = all.find((a) => a.family === want) ?? all[0];
    if (chosen === undefined)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${target.host}`), { code: 'ENOTFOUND' });
    return chosen.address;
  } finally {
    attempt.add('resolve', performance.now() - started);
  }
}

/** Resolves on `event`, rejects on `error` or an early `close`. */
export function settle(socket: Socket, event: 'connect' | 'secureConnect'): Promise<void> {
  return new Promise<void>((done, fail) => {
    const finish = (err?: Error): void => {
      socket.off('error', finish).off('close', onClose).off(event, onEvent);
      if (err === undefined) done();
      else fail(err);
    };
    const onEvent = (): void => finish();
    const onClose = (): void =>
      finish(Object.assign(new Error('socket closed while connecting'), { code: 'ECONNRESET' }));
    socket.once('error', finish).once('close', onClose).once(event, onEvent);
  });
}

/** Certificates in the presented chain, leaf first, stopping at a self-signed root. */
function chainLength(leaf: DetailedPeerCertificate): number {
  let count = 0;
  for (let cert: DetailedPeerCertificate | undefined = leaf; cert?.raw !== undefined && count < 16; count++) {
    const next: DetailedPeerCertificate | undefined = cert.issuerCertificate;
    if (next === undefined || next === cert || next.fingerprint256 === cert.fingerprint256) return count + 1;
    cert = next;
  }
  return count;
}

/** The facts of a finished handshake, with verification and name match judged here. */
export function handshakeFacts(socket: TLSSocket, verifyName: string): TlsFacts {
  const leaf = socket.getPeerCertificate(true);
  const facts = readTlsFacts(socket, leaf);
  facts.chainLength = chainLength(leaf);
  facts.verified = socket.authorized;
  // Typed as an Error, but node hands over the OpenSSL code (a string) on some paths.
  const why = socket.authorizationError as Error | string | null | undefined;
  if (!socket.authorized && why)
    facts.verifyError = typeof why === 'string' ? why : ((why as { code?: string }).code ?? why.message);
  facts.hostnameMatch = leaf.raw !== undefined && checkServerIdentity(verifyName, leaf) === undefined;
  return facts;
}

/** Opens a plain or TLS socket to `address`; TLS is dialled directly (not layered on a socket of ours) as the http probe does. */
function open(target: DialTarget, address: string): Socket {
  const localAddress = target.sourceIp;
  // tls.connect passes localAddress on to the socket it connects; its typings omit it.
  const local: { localAddress?: string } = localAddress === undefined ? {} : { localAddress };
  if (target.tls === undefined) return netConnect({ host: address, port: target.port, localAddress, noDelay: true });
  const tls = target.tls;
  // SNI may not carry an IP address; verification still checks the IP against the SANs.
  const servername = tls.serverName ?? (isIP(target.host) === 0 ? target.host : undefined);
  return tlsConnect({
    host: address,
    port: target.port,
    ...local,
    servername,
    secureContext: secureContextFor(tls),
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
  });
}

/**
 * Resolves, connects and (with `target.tls`) completes a TLS handshake, timing each phase
 * on `attempt`. Rejects with the socket's error; the attempt destroys the socket on abort.
 */
export async function dial(target: DialTarget, attempt: SocketAttempt): Promise<Dialled> {
  const address = await resolveHost(target, attempt);
  attempt.signal.throwIfAborted();
  const refused = vetoed(attempt.vet, target.host, address, target.port);
  if (refused !== undefined) throw refused;
  attempt.stage = 'the TCP connect';
  const started = performance.now();
  const socket = attempt.own(open(target, address));
  const handshake = target.tls === undefined ? undefined : settle(socket, 'secureConnect');
  // Both are listened for at once: a handshake failure must not go unhandled while connect is awaited.
  handshake?.catch(() => {});
  await settle(socket, 'connect');
  const connectedAt = performance.now();
  attempt.add('connect', connectedAt - started);
  if (handshake === undefined || target.tls === undefined) return { socket };
  attempt.stage = 'the TLS handshake';
  await handshake;
  attempt.add('tls', performance.now() - connectedAt);
  return { socket, tls: handshakeFacts(socket as TLSSocket, target.tls.serverName ?? target.host) };
}
