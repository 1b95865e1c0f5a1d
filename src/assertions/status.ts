import type { HttpExpect } from '../config/schema/http.js';
import type { CompiledAssertion } from './types.js';

/** The outcome name of the status expectation; a failure of it is reason `http_status`. */
export const STATUS_OUTCOME = 'status';

type StatusMatcher = HttpExpect['status'][number];

/** An inclusive range of status codes. */
interface StatusRange {
  lo: number;
  hi: number;
}

/** Turns `200`, `'2xx'` or `'200-299'` into a range; the schema has already checked the form. */
export function statusRange(matcher: StatusMatcher): StatusRange {
  if (typeof matcher === 'number') return { lo: matcher, hi: matcher };
  const cls = /^([1-5])xx$/.exec(matcher);
  if (cls) {
    const base = Number(cls[1]) * 100;
    return { lo: base, hi: base + 99 };
  }
  const [lo, hi = lo] = matcher.split('-').map(Number) as [number, number?];
  return { lo, hi };
}

/** Compiles the accepted statuses; the outcome reads `expected: one of 2xx, 404`. */
export function compileStatus(matchers: readonly StatusMatcher[]): CompiledAssertion {
  const ranges = matchers.map(statusRange);
  const expected = `one of ${matchers.join(', ')}`;
  return ({ observation }) => {
    const status = observation.http?.status;
    if (status === undefined) return { name: STATUS_OUTCOME, ok: false, expected, actual: 'no HTTP response' };
    const ok = ranges.some((r) => status >= r.lo && status <= r.hi);
    return { name: STATUS_OUTCOME, ok, expected, actual: String(status) };
  };
}
