/**
 * Cold start of a lab backend.
 *
 * A service that has just started is slower than the same service an hour later: its
 * caches are empty, the JIT has not compiled the hot paths, connection pools to its own
 * dependencies are still being opened, and lazily loaded code is loaded on first use. Its
 * health check answers at once all the same, so a balancer that trusts it sends a full
 * share of traffic to it straight away. That is why failing a whole group back at once
 * hurts, and the lab has to show it: the first requests after start are made slow on
 * purpose, and health checks are not (they never warm anything up in real services either).
 */

/** Cold-start settings of one backend process. */
export interface Warmup {
  /** Application requests served slowly after start; 0 disables the cold start. */
  requests: number;
  /** Extra delay of the very first request, in milliseconds. */
  delayMs: number;
}

/**
 * The extra delay of application request number `index` (0-based, counted from process
 * start): `delayMs` for the first, decreasing linearly by `delayMs / requests` per
 * request, and 0 from request `requests` on.
 *
 * @example
 * warmupDelay(0, { requests: 20, delayMs: 200 });  // 200
 * warmupDelay(10, { requests: 20, delayMs: 200 }); // 100
 * warmupDelay(20, { requests: 20, delayMs: 200 }); // 0
 */
export function warmupDelay(index: number, warmup: Warmup): number {
  if (index >= warmup.requests || warmup.requests <= 0) return 0;
  return Math.round((warmup.delayMs * (warmup.requests - index)) / warmup.requests);
}
