import type { HttpExpect } from '../config/schema/http.js';
import type { ResolvedHttpCheck } from '../config/types.js';
import { compileBody } from './body.js';
import { compileHeader } from './headers.js';
import { compileJson } from './json.js';
import { compileStatus } from './status.js';
import { compileCertMinLifetime, compileMaxDuration } from './timing.js';
import type { CompiledAssertion } from './types.js';

// Keyed by the `expect` object: a config reload builds new objects, so stale entries
// are collected with the checks they belonged to.
const compiled = new WeakMap<HttpExpect, readonly CompiledAssertion[]>();

function compile(expect: HttpExpect): readonly CompiledAssertion[] {
  const list: CompiledAssertion[] = [compileStatus(expect.status)];
  list.push(...expect.headers.map(compileHeader));
  list.push(...expect.body.map(compileBody));
  list.push(...expect.json.map(compileJson));
  if (expect.maxDuration !== undefined) list.push(compileMaxDuration(expect.maxDuration));
  if (expect.certMinLifetime !== undefined) list.push(compileCertMinLifetime(expect.certMinLifetime));
  return Object.freeze(list);
}

/**
 * The check's expectations, compiled once and cached, in their stable order: status,
 * headers, body, json (each in config order), maxDuration, certMinLifetime.
 */
export function compileHttpExpectations(check: Pick<ResolvedHttpCheck, 'expect'>): readonly CompiledAssertion[] {
  let list = compiled.get(check.expect);
  if (list === undefined) {
    list = compile(check.expect);
    compiled.set(check.expect, list);
  }
  return list;
}
