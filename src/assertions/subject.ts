import type { Observation } from '../results/types.js';
import { parseBody } from './json.js';
import type { ParsedJson, Subject } from './types.js';

/** The subject of one evaluation; the body is parsed as JSON on first use only. */
export function makeSubject(observation: Observation, now: number): Subject {
  let parsed: ParsedJson | undefined;
  return {
    observation,
    now,
    json: () => (parsed ??= parseBody(observation.http?.body)),
  };
}
