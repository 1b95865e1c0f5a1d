import type { TlsExpect } from '../config/schema/tls.js';
import type { ResolvedTlsCheck } from '../config/types.js';
import { cached } from './cache.js';
import { compileMaxDuration } from './timing.js';
import type { CompiledAssertion } from './types.js';

const DAY_MS = 86_400_000;

function minDaysToExpiry(days: number): CompiledAssertion {
  const name = 'minDaysToExpiry';
  const expected = `at least ${days} day(s) left`;
  return ({ observation, now }) => {
    const tls = observation.tls;
    if (tls === undefined) return { name, ok: false, expected, actual: 'no TLS' };
    const left = (tls.earliestCertExpiry * 1000 - now) / DAY_MS;
    const actual = left >= 0 ? `${left.toFixed(1)} day(s) left` : `expired ${(-left).toFixed(1)} day(s) ago`;
    return { name, ok: left >= days, expected, actual };
  };
}

function hostnameMatch(want: boolean): CompiledAssertion {
  const name = 'hostnameMatch';
  const expected = want ? 'the certificate matches the server name' : 'the certificate does not match the server name';
  return ({ observation }) => {
    const seen = observation.tls?.hostnameMatch;
    const actual =
      seen === undefined
        ? 'no certificate'
        : seen
          ? 'matches'
          : `does not match (subject ${observation.tls?.subject ?? 'none'})`;
    return { name, ok: seen === want, expected, actual };
  };
}

function versions(allowed: readonly string[]): CompiledAssertion {
  const name = 'versions';
  const expected = `one of ${allowed.join(', ')}`;
  return ({ observation }) => {
    const version = observation.tls?.version;
    return { name, ok: version !== undefined && allowed.includes(version), expected, actual: version ?? 'no TLS' };
  };
}

const compileTls = cached((expect: TlsExpect) => {
  const list: CompiledAssertion[] = [];
  if (expect.minDaysToExpiry !== undefined) list.push(minDaysToExpiry(expect.minDaysToExpiry));
  if (expect.hostnameMatch !== undefined) list.push(hostnameMatch(expect.hostnameMatch));
  if (expect.versions !== undefined) list.push(versions(expect.versions));
  if (expect.maxDuration !== undefined) list.push(compileMaxDuration(expect.maxDuration));
  return list;
});

/** A tls check's expectations, in order: minDaysToExpiry, hostnameMatch, versions, maxDuration. */
export function compileTlsExpectations(check: Pick<ResolvedTlsCheck, 'expect'>): readonly CompiledAssertion[] {
  return compileTls(check.expect);
}
