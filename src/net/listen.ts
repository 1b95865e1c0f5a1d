/**
 * Listening sockets, shared by the agent's server, the fault proxy and the lab: listen
 * addresses, listen failures a user can act on, and listen/close for plain HTTP servers.
 * Low level on purpose: it imports nothing of the agent but its errors.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CanaryError, ERROR_CODES, errorMessage } from '../errors.js';

/** A listen address split into what `server.listen` takes. */
export interface ListenAddress {
  /** Host or IP without brackets; `undefined` for every interface (`:9464`). */
  host: string | undefined;
  port: number;
}

const LISTEN_PATTERN = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]*)):(\d{1,5})$/;

/**
 * Parses `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (every interface). Port 0 asks the
 * kernel for a free port.
 *
 * @example
 * parseListen('[::1]:9464'); // { host: '::1', port: 9464 }
 */
export function parseListen(address: string): ListenAddress {
  const match = LISTEN_PATTERN.exec(address);
  const port = Number(match?.[3]);
  if (!match || port > 65535) {
    throw new CanaryError(
      ERROR_CODES.listen,
      `invalid listen address "${address}": must be HOST:PORT, e.g. 127.0.0.1:9464 or [::1]:9464`,
    );
  }
  const host = match[1] ?? match[2];
  return { host: host === '' ? undefined : host, port };
}

/** `host:port` with IPv6 hosts in brackets, as URLs and humans write them. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

const LISTEN_HINTS: Record<string, string> = {
  EADDRINUSE: 'the address is already in use (is another agent or exporter running on this port?)',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'the address is not assigned to this machine',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved now',
};

/** Turns a `listen` failure into the stable `CANARY_ERR_LISTEN` with a message that says what to fix. */
export function listenError(address: string, cause: unknown): CanaryError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const detail = (code && LISTEN_HINTS[code]) ?? errorMessage(cause);
  return new CanaryError(ERROR_CODES.listen, `cannot listen on ${address}: ${detail}`, { cause });
}

/** Listens and resolves with the base URL; rejects (instead of crashing) when the port is taken. */
export function listenOn(server: Server, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve(`http://${shown}:${address.port}`);
    });
  });
}

/** Closes a server and its idle keep-alive connections so shutdown does not wait for clients. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
