import type { ResolvedTcpCheck, ResolvedUnixCheck } from '../config/types.js';
import { cached } from './cache.js';
import { compileCertMinLifetime, compileMaxDuration } from './timing.js';
import type { CompiledAssertion } from './types.js';

const compileTcp = cached((expect: ResolvedTcpCheck['expect']) => {
  const list: CompiledAssertion[] = [];
  if (expect.maxDuration !== undefined) list.push(compileMaxDuration(expect.maxDuration));
  if (expect.certMinLifetime !== undefined) list.push(compileCertMinLifetime(expect.certMinLifetime));
  return list;
});

/** A tcp or unix check's expectations (the conversation itself is judged by the probe): maxDuration, certMinLifetime. */
export function compileTcpExpectations(
  check: Pick<ResolvedTcpCheck | ResolvedUnixCheck, 'expect'>,
): readonly CompiledAssertion[] {
  return compileTcp(check.expect);
}
