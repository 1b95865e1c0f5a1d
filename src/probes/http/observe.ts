/**
 * Turns the state of a finished HTTP attempt into the Observation the pipeline reads.
 */
import type { HttpFacts, Observation } from '../../results/types.js';
import type { Attempt } from './attempt.js';
import type { Failure } from './classify.js';
import type { Exchange } from './exchange.js';
import type { Lease } from './clients.js';

/** What is known about the last response when an attempt ends. */
export interface Final {
  exchange: Exchange;
  url: URL;
  redirects: number;
  lease: Lease;
}

function httpFacts(final: Final): HttpFacts {
  const { exchange } = final;
  const facts: HttpFacts = {
    status: exchange.status,
    // undici's client speaks HTTP/1.1 only (no h2 is negotiated on our sockets).
    version: '1.1',
    redirects: final.redirects,
    finalUrl: final.url.href,
    headers: exchange.headers(),
    bodyBytes: exchange.bodyBytes,
    ssl: final.lease.connection.route.secure,
  };
  const body = exchange.body();
  if (body !== undefined) facts.body = body;
  return facts;
}

function base(attempt: Attempt): Observation {
  const observation: Observation = {
    ok: true,
    durationSeconds: (performance.now() - attempt.startedAt) / 1000,
    phases: attempt.phases(),
  };
  if (attempt.resolveMs >= 0) observation.dnsLookupSeconds = attempt.resolveMs / 1000;
  return observation;
}

/** A complete final response. */
export function answered(attempt: Attempt, final: Final): Observation {
  const observation = base(attempt);
  observation.http = httpFacts(final);
  const tls = final.lease.connection.route.secure ? final.lease.connection.tls : undefined;
  if (tls !== undefined) observation.tls = tls;
  return observation;
}

/**
 * No complete response. HTTP facts are kept when a response had started (a body over
 * the cap still has a status), TLS facts when a handshake completed.
 */
export function failed(attempt: Attempt, failure: Failure, final?: Final): Observation {
  const observation = base(attempt);
  observation.ok = false;
  observation.reason = failure.reason;
  observation.message = failure.message;
  if (final !== undefined && final.exchange.status > 0) observation.http = httpFacts(final);
  const tls = final?.lease.connection.route.secure ? final.lease.connection.tls : undefined;
  if (tls !== undefined) observation.tls = tls;
  return observation;
}
