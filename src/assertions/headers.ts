import type { HttpExpect } from '../config/schema/http.js';
import { allOf, type Condition } from './conditions.js';
import { show, showRegex } from './format.js';
import type { CompiledAssertion } from './types.js';
import { configuredRegex } from '../config/safe-regex.js';

type HeaderExpectation = HttpExpect['headers'][number];
type HeaderValue = string | undefined;

/**
 * Finds a header by name, ignoring case. Probes report names lower-cased, so the direct
 * lookup nearly always hits; the scan keeps hand-built observations honest too.
 */
export function findHeader(headers: Readonly<Record<string, string>>, name: string): HeaderValue {
  const key = name.toLowerCase();
  if (Object.hasOwn(headers, key)) return headers[key];
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === key) return v;
  return undefined;
}

function conditionsOf(e: HeaderExpectation): Condition<HeaderValue>[] {
  const conditions: Condition<HeaderValue>[] = [];
  if (e.absent === true) conditions.push({ expected: 'absent', test: (v) => v === undefined });
  const equals = e.equals;
  if (equals !== undefined) conditions.push({ expected: `equal to ${show(equals)}`, test: (v) => v === equals });
  // allowMissing: blackbox_exporter's allow_missing, an absent header passes a regex condition.
  const missing = e.allowMissing === true;
  const orAbsent = missing ? ' (or absent)' : '';
  if (e.matches !== undefined) {
    const re = configuredRegex(e.matches);
    const test = (v: HeaderValue) => (v === undefined ? missing : re.test(v));
    conditions.push({ expected: `matching ${showRegex(re)}${orAbsent}`, test });
  }
  if (e.notMatches !== undefined) {
    const re = configuredRegex(e.notMatches);
    const test = (v: HeaderValue) => (v === undefined ? missing : !re.test(v));
    conditions.push({ expected: `not matching ${showRegex(re)}${orAbsent}`, test });
  }
  // `{ name }` alone, or `absent: false`, asks only that the header be there.
  if (conditions.length === 0) conditions.push({ expected: 'present', test: (v) => v !== undefined });
  return conditions;
}

/**
 * Compiles one header expectation. Names are case-insensitive (HTTP says so); values are
 * compared as the probe reports them, repeated headers joined by `, `. `matches` is not
 * anchored, as in blackbox_exporter: write `^...$` for a whole-value match.
 */
export function compileHeader(e: HeaderExpectation): CompiledAssertion {
  const name = `header ${e.name.toLowerCase()}`;
  const condition = allOf(conditionsOf(e));
  return ({ observation }) => {
    const headers = observation.http?.headers;
    if (headers === undefined) return { name, ok: false, expected: condition.expected, actual: 'no HTTP response' };
    const value = findHeader(headers, e.name);
    return {
      name,
      ok: condition.test(value),
      expected: condition.expected,
      actual: value === undefined ? 'absent' : show(value),
    };
  };
}
