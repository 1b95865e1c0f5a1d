import type { ResolvedFlowCheck } from '../config/types.js';
import { cached } from './cache.js';
import { compileMaxDuration } from './timing.js';
import type { CompiledAssertion } from './types.js';

const compileFlow = cached((expect: ResolvedFlowCheck['expect']) => {
  const list: CompiledAssertion[] = [];
  if (expect.maxDuration !== undefined) list.push(compileMaxDuration(expect.maxDuration));
  return list;
});

/**
 * A flow check's own expectations: maxDuration of the whole flow. Each step's
 * expectations are judged by the probe as the step runs, since a failing step ends the flow.
 */
export function compileFlowExpectations(check: Pick<ResolvedFlowCheck, 'expect'>): readonly CompiledAssertion[] {
  return compileFlow(check.expect);
}
