/**
 * undici Clients for the HTTP probe. By default every attempt gets a fresh Client (so a
 * fresh connection: connect and TLS are measured as a new user meets them) that is
 * closed when the attempt ends. With `http.keepAlive` one Client per (check, origin)
 * lives between runs; `closeAll` ends them.
 */
import { Client } from 'undici';
import type { ResolvedHttpCheck } from '../../config/types.js';
import type { Attempt } from './attempt.js';
import { Connection, RESPONSE_READ } from './connection.js';
import type { Route } from './route.js';

/** A Client lent to one attempt, with the connector state that feeds it. */
export interface Lease {
  client: Client;
  connection: Connection;
  /** Kept after the attempt (keepAlive) rather than closed. */
  pooled: boolean;
  /** The check object it was made for: a reloaded check with new settings gets a new Client. */
  check: ResolvedHttpCheck;
}

/** Keep-alive clients hold their socket up to this long when the server names no limit. */
const MAX_IDLE_MS = 600_000;

function noop(): void {}

function idleTimeout(check: ResolvedHttpCheck): number {
  // Long enough to reach the next run; the server's own Keep-Alive timeout still wins.
  return check.schedule.kind === 'interval'
    ? Math.min(check.schedule.everyMs + check.timeoutMs, MAX_IDLE_MS)
    : MAX_IDLE_MS;
}

function newLease(check: ResolvedHttpCheck, route: Route, pooled: boolean, attempt: Attempt): Lease {
  const connection = new Connection(route);
  connection.attempt = attempt;
  const client = new Client(route.origin, {
    connect: connection.connect,
    maxHeaderSize: check.http.maxHeaderSize,
    pipelining: 1,
    // The attempt's own signal bounds the request; undici's header and body timers would
    // only repeat it, at the cost of a timer set and cleared on every request.
    headersTimeout: 0,
    bodyTimeout: 0,
    // A one-use Client must not react to a short server Keep-Alive timeout: undici would
    // otherwise end the socket itself with an error whose stack it formats (measurably
    // dearer per probe, see BENCHMARKS.md); this Client closes the socket anyway.
    ...(pooled
      ? { keepAliveTimeout: idleTimeout(check), keepAliveMaxTimeout: MAX_IDLE_MS }
      : { keepAliveTimeoutThreshold: 0 }),
  });
  return { client, connection, pooled, check };
}

/** Hands out Clients and takes them back. */
export class Clients {
  readonly #pool = new Map<string, Lease>();

  /**
   * A Client for `route` under `check`, lent to `attempt`: pooled when
   * `check.http.keepAlive`, fresh otherwise. A pooled Client already lent to another
   * attempt (two runs of one check at once) is not shared: the newcomer gets a fresh one,
   * so one run's timeout cannot tear down the other's request.
   */
  acquire(check: ResolvedHttpCheck, route: Route, attempt: Attempt): Lease {
    if (!check.http.keepAlive) return newLease(check, route, false, attempt);
    const key = `${check.name}\n${route.origin}`;
    const kept = this.#pool.get(key);
    if (kept !== undefined && kept.check === check && !kept.client.destroyed) {
      if (kept.connection.attempt !== undefined) return newLease(check, route, false, attempt);
      kept.connection.attempt = attempt;
      return kept;
    }
    if (kept !== undefined) kept.client.destroy(null, noop);
    const lease = newLease(check, route, true, attempt);
    this.#pool.set(key, lease);
    return lease;
  }

  /**
   * Takes a Client back. A pooled one stays unless the attempt failed, in which case
   * its connection is not trusted again. A fresh one that served its response has its
   * socket closed directly: undici sees the close and lets the idle Client go, which
   * costs far less than `client.close()` (an error object and a stack trace per call).
   */
  release(lease: Lease, healthy: boolean): void {
    lease.connection.attempt = undefined;
    if (lease.pooled && healthy) return;
    if (lease.pooled) {
      const key = `${lease.check.name}\n${lease.connection.route.origin}`;
      if (this.#pool.get(key) === lease) this.#pool.delete(key);
    }
    if (healthy) lease.connection.socket?.destroy(RESPONSE_READ);
    else lease.client.destroy(null, noop);
  }

  /** Closes every kept-alive Client. */
  async closeAll(): Promise<void> {
    const leases = [...this.#pool.values()];
    this.#pool.clear();
    await Promise.all(leases.map((lease) => lease.client.close().catch(() => lease.client.destroy())));
  }
}
