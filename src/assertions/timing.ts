import { formatDuration } from '../config/units.js';
import type { CompiledAssertion } from './types.js';

/** Milliseconds to tenths, so a fast local response does not read as `0ms`. */
function shownMs(ms: number): string {
  return formatDuration(Math.round(ms * 10) / 10);
}

/** Compiles `maxDuration`: the whole attempt, redirects included, took at most this long. */
export function compileMaxDuration(maxMs: number): CompiledAssertion {
  const name = 'maxDuration';
  const expected = `at most ${formatDuration(maxMs)}`;
  return ({ observation }) => {
    const tookMs = observation.durationSeconds * 1_000;
    return { name, ok: tookMs <= maxMs, expected, actual: shownMs(tookMs) };
  };
}

/**
 * Compiles `certMinLifetime`: the earliest certificate in the chain expires no sooner than
 * this long after the moment of evaluation. A response without TLS fails: the check asked
 * about a certificate and there was none.
 */
export function compileCertMinLifetime(minMs: number): CompiledAssertion {
  const name = 'certMinLifetime';
  const expected = `at least ${formatDuration(minMs)} left`;
  return ({ observation, now }) => {
    const tls = observation.tls;
    if (tls === undefined) return { name, ok: false, expected, actual: 'no TLS' };
    const leftMs = tls.earliestCertExpiry * 1_000 - now;
    const actual = leftMs >= 0 ? `${shownMs(leftMs)} left` : `expired ${shownMs(-leftMs)} ago`;
    return { name, ok: leftMs >= minMs, expected, actual };
  };
}
