/**
 * CEL expectations on a JSON body, as blackbox_exporter's fail_if_body_json_matches_cel and
 * fail_if_body_json_not_matches_cel: the body parsed as JSON is the variable `body`.
 */
import { celEnv, isCelError, parse, plan, type CelInput } from '@bufbuild/cel';
import type { HttpExpect } from '../config/schema/http.js';
import { errorMessage } from '../errors.js';
import { show } from './format.js';
import type { CompiledAssertion } from './types.js';

type CelExpectation = HttpExpect['cel'][number];

const env = celEnv();

/**
 * JSON as CEL sees it: objects become maps, numbers stay doubles (as Go's encoding/json
 * gives blackbox_exporter), so `body.count > 1` compares as it does there.
 */
function celValue(value: unknown): CelInput {
  if (Array.isArray(value)) return value.map(celValue);
  if (value !== null && typeof value === 'object') {
    return new Map(Object.entries(value).map(([key, inner]) => [key, celValue(inner)]));
  }
  return value as CelInput;
}

/**
 * Compiles one CEL expectation. The expression was checked to parse at load; evaluation
 * errors (a missing field, a type mismatch) and a result that is not a boolean fail the
 * expectation, as they fail blackbox's probe.
 */
export function compileCel(e: CelExpectation): CompiledAssertion {
  const wanted = e.matches !== undefined;
  const expression = (e.matches ?? e.notMatches) as string;
  const run = plan(env, parse(expression));
  const name = `cel ${wanted ? 'matches' : 'notMatches'}`;
  const expected = `${show(expression)} ${wanted ? 'true' : 'false'}`;
  return (subject) => {
    const parsed = subject.json();
    if (!parsed.ok) return { name, ok: false, expected, actual: parsed.actual };
    let result: unknown;
    try {
      result = run({ body: celValue(parsed.value) });
    } catch (err) {
      return { name, ok: false, expected, actual: `error: ${errorMessage(err)}` };
    }
    if (isCelError(result)) return { name, ok: false, expected, actual: `error: ${result.message}` };
    if (typeof result !== 'boolean')
      return { name, ok: false, expected, actual: `not a boolean: ${show(String(result))}` };
    return { name, ok: result === wanted, expected, actual: String(result) };
  };
}
