import type { HttpExpect } from '../config/schema/http.js';
import { errorMessage } from '../errors.js';
import { allOf, type Condition } from './conditions.js';
import { show, showRegex } from './format.js';
import { parseJsonPath, resolveJsonPath } from './json-path.js';
import type { AssertionOutcome } from '../results/types.js';
import type { CompiledAssertion, ParsedJson } from './types.js';
import { configuredRegex } from '../config/safe-regex.js';

type JsonExpectation = HttpExpect['json'][number];

/** `undefined` stands for "no value at this path" (JSON itself has no undefined). */
type JsonValue = unknown;

/** The text `matches` is tested against: a string as it is, anything else as its JSON. */
function textOf(value: JsonValue): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

function conditionsOf(e: JsonCheck): Condition<JsonValue>[] {
  const conditions: Condition<JsonValue>[] = [];
  if (e.exists === false) conditions.push({ expected: 'absent', test: (v) => v === undefined });
  if (e.exists === true) conditions.push({ expected: 'present', test: (v) => v !== undefined });
  const equals = e.equals;
  // Scalars only (the schema says so), so strict equality is the right comparison.
  if (equals !== undefined) conditions.push({ expected: `equal to ${show(equals)}`, test: (v) => v === equals });
  if (e.matches !== undefined) {
    const re = configuredRegex(e.matches);
    conditions.push({ expected: `matching ${showRegex(re)}`, test: (v) => v !== undefined && re.test(textOf(v)) });
  }
  // A path alone asks only that something be there.
  if (conditions.length === 0) conditions.push({ expected: 'present', test: (v) => v !== undefined });
  return conditions;
}

/** Parses a body as JSON; the failure text is what the outcome shows as `actual`. */
export function parseBody(body: string | undefined): ParsedJson {
  if (body === undefined) return { ok: false, actual: 'no body read' };
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch (error) {
    return { ok: false, actual: `not JSON: ${errorMessage(error)}` };
  }
}

/** What the JSON expectations read: a path and at most one of exists, equals, matches. */
export type JsonCheck = Pick<JsonExpectation, 'path' | 'equals' | 'matches'> & { exists?: boolean };

/**
 * Compiles one JSON expectation into a judge of an already parsed document: the path
 * parsed now, the document when judged. The websocket probe judges each message with it.
 */
export function compileJsonValue(e: JsonCheck): (parsed: ParsedJson) => AssertionOutcome {
  const name = `json ${e.path}`;
  const segments = parseJsonPath(e.path);
  const condition = allOf(conditionsOf(e));
  const expected = condition.expected;
  return (parsed) => {
    if (!parsed.ok) return { name, ok: false, expected, actual: parsed.actual };
    const resolved = resolveJsonPath(parsed.value, segments);
    const value = resolved.found ? resolved.value : undefined;
    const actual = resolved.found ? show(resolved.value) : `missing at ${resolved.missingAt}`;
    return { name, ok: condition.test(value), expected, actual };
  };
}

/**
 * Compiles one JSON expectation: the path is parsed now, the body when evaluated (once
 * for all JSON expectations, through the subject). A body that is not JSON fails every
 * JSON expectation, `exists: false` included: nothing can be said about its paths.
 */
export function compileJson(e: JsonExpectation): CompiledAssertion {
  const judge = compileJsonValue(e);
  return (subject) => judge(subject.json());
}
