import type { HttpExpect } from '../config/schema/http.js';
import type { ResolvedHttpCheck } from '../config/types.js';
import { compileBody } from './body.js';
import { compileCel } from './cel.js';
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
  list.push(...expect.cel.map(compileCel));
  if (expect.ssl !== undefined) list.push(compileSsl(expect.ssl));
  if (expect.maxDuration !== undefined) list.push(compileMaxDuration(expect.maxDuration));
  if (expect.certMinLifetime !== undefined) list.push(compileCertMinLifetime(expect.certMinLifetime));
  return Object.freeze(list);
}

/** `ssl`: whether the final response came over TLS (blackbox_exporter fail_if_ssl / fail_if_not_ssl). */
function compileSsl(wanted: boolean): CompiledAssertion {
  const expected = wanted ? 'over TLS' : 'not over TLS';
  return ({ observation }) => {
    const ssl = observation.http?.ssl;
    if (ssl === undefined) return { name: 'ssl', ok: false, expected, actual: 'no HTTP response' };
    return { name: 'ssl', ok: ssl === wanted, expected, actual: ssl ? 'over TLS' : 'not over TLS' };
  };
}

/**
 * The check's expectations, compiled once and cached, in their stable order: status,
 * headers, body, json, cel (each in config order), ssl, maxDuration, certMinLifetime.
 */
export function compileHttpExpectations(check: Pick<ResolvedHttpCheck, 'expect'>): readonly CompiledAssertion[] {
  let list = compiled.get(check.expect);
  if (list === undefined) {
    list = compile(check.expect);
    compiled.set(check.expect, list);
  }
  return list;
}
