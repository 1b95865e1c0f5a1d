import type { DnsExpect } from '../config/schema/dns.js';
import type { ResolvedDnsCheck } from '../config/types.js';
import { cached } from './cache.js';
import { show, showRegex } from './format.js';
import { compileMaxDuration } from './timing.js';
import type { CompiledAssertion } from './types.js';
import { configuredRegex } from '../config/safe-regex.js';

type Section = 'answers' | 'authority' | 'additional';
type RecordExpectation = DnsExpect['answers'][number];

/** The outcome name of the rcode expectation. */
export const RCODE_OUTCOME = 'rcode';

function rcode(allowed: readonly string[]): CompiledAssertion {
  const expected = `one of ${allowed.join(', ')}`;
  return ({ observation }) => {
    const seen = observation.dns?.rcode;
    return {
      name: RCODE_OUTCOME,
      ok: seen !== undefined && allowed.includes(seen),
      expected,
      actual: seen ?? 'no DNS answer',
    };
  };
}

function minAnswers(min: number): CompiledAssertion {
  const expected = `at least ${min} record(s)`;
  return ({ observation }) => {
    const count = observation.dns?.answers.length;
    return {
      name: 'minAnswers',
      ok: count !== undefined && count >= min,
      expected,
      actual: count === undefined ? 'no DNS answer' : String(count),
    };
  };
}

/** `allMatch`: there are records (unless `allowEmpty`) and every one matches; `actual` shows one that does not. */
function allRecords(section: Section, source: string, allowEmpty: boolean): CompiledAssertion {
  const re = configuredRegex(source);
  const name = `${section} allMatch`;
  const expected = `${allowEmpty ? 'no record or ' : ''}every record matching ${showRegex(re)}`;
  return ({ observation }) => {
    const list = observation.dns?.[section];
    if (list === undefined) return { name, ok: false, expected, actual: 'no DNS answer' };
    const miss = list.find((rr) => !re.test(rr));
    if (miss !== undefined) return { name, ok: false, expected, actual: `found ${show(miss)}` };
    return { name, ok: list.length > 0 || allowEmpty, expected, actual: `${list.length} record(s)` };
  };
}

/** `matches`: some record matches; `notMatches`: none does. `actual` shows the record that decided it. */
function records(section: Section, e: RecordExpectation): CompiledAssertion {
  if (e.allMatch !== undefined) return allRecords(section, e.allMatch, e.allowEmpty === true);
  const wanted = e.matches !== undefined;
  const re = configuredRegex((e.matches ?? e.notMatches) as string);
  const name = `${section} ${wanted ? 'matches' : 'notMatches'}`;
  const expected = wanted ? `a record matching ${showRegex(re)}` : `no record matching ${showRegex(re)}`;
  return ({ observation }) => {
    const list = observation.dns?.[section];
    if (list === undefined) return { name, ok: false, expected, actual: 'no DNS answer' };
    const hit = list.find((rr) => re.test(rr));
    const actual = hit !== undefined ? `found ${show(hit)}` : `none of ${list.length} record(s)`;
    return { name, ok: wanted === (hit !== undefined), expected, actual };
  };
}

const compileDns = cached((expect: DnsExpect) => {
  const list: CompiledAssertion[] = [rcode(expect.rcode)];
  if (expect.minAnswers !== undefined) list.push(minAnswers(expect.minAnswers));
  for (const section of ['answers', 'authority', 'additional'] as const)
    list.push(...expect[section].map((e) => records(section, e)));
  if (expect.maxDuration !== undefined) list.push(compileMaxDuration(expect.maxDuration));
  return list;
});

/** A dns check's expectations, in order: rcode, minAnswers, answers, authority, additional, maxDuration. */
export function compileDnsExpectations(check: Pick<ResolvedDnsCheck, 'expect'>): readonly CompiledAssertion[] {
  return compileDns(check.expect);
}
