import type { ResolvedIcmpCheck } from '../config/types.js';
import { cached } from './cache.js';
import { compileMaxDuration } from './timing.js';
import type { CompiledAssertion } from './types.js';

const compileIcmp = cached((expect: ResolvedIcmpCheck['expect']) => {
  const list: CompiledAssertion[] = [];
  if (expect.maxDuration !== undefined) list.push(compileMaxDuration(expect.maxDuration));
  return list;
});

/** An icmp check's expectations: a reply is the check itself, so only maxDuration. */
export function compileIcmpExpectations(check: Pick<ResolvedIcmpCheck, 'expect'>): readonly CompiledAssertion[] {
  return compileIcmp(check.expect);
}
