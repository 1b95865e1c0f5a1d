import type { HttpExpect } from '../config/schema/http.js';
import { show, showRegex } from './format.js';
import type { CompiledAssertion } from './types.js';
import { configuredRegex } from '../config/safe-regex.js';

type BodyExpectation = HttpExpect['body'][number];

/** The outcome name of every body expectation; `expected` tells them apart. */
export const BODY_OUTCOME = 'body';

function describe(matches: RegExp | undefined, notMatches: RegExp | undefined): string {
  const words: string[] = [];
  if (matches) words.push(`matching ${showRegex(matches)}`);
  if (notMatches) words.push(`not matching ${showRegex(notMatches)}`);
  return words.length > 0 ? words.join(' and ') : 'anything';
}

/**
 * Compiles one body expectation. `actual` shows what decided it: the forbidden text that
 * was found, or that the wanted pattern was absent, rather than the start of a long body.
 */
export function compileBody(e: BodyExpectation): CompiledAssertion {
  const matches = e.matches === undefined ? undefined : configuredRegex(e.matches);
  const notMatches = e.notMatches === undefined ? undefined : configuredRegex(e.notMatches);
  const expected = describe(matches, notMatches);
  return ({ observation }) => {
    const body = observation.http?.body;
    // A missing body is a failure, not an empty one: `notMatches` must not pass unread.
    if (body === undefined) return { name: BODY_OUTCOME, ok: false, expected, actual: 'no body read' };
    const found = matches?.exec(body);
    const forbidden = notMatches?.exec(body);
    const ok = (matches === undefined || !!found) && !forbidden;
    let actual: string;
    if (forbidden) actual = `found ${show(forbidden[0])}`;
    else if (matches && !found) actual = `no match in ${body.length} characters`;
    else if (found) actual = `found ${show(found[0])}`;
    else actual = `${body.length} characters`;
    return { name: BODY_OUTCOME, ok, expected, actual };
  };
}
