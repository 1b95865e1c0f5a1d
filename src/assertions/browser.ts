import type { ResolvedBrowserCheck } from '../config/types.js';
import { cached } from './cache.js';
import { compileMaxDuration } from './timing.js';
import type { CompiledAssertion } from './types.js';

const compileBrowser = cached((expect: ResolvedBrowserCheck['expect']) => {
  const list: CompiledAssertion[] = [];
  if (expect.maxDuration !== undefined) list.push(compileMaxDuration(expect.maxDuration));
  return list;
});

/** A browser check's expectations beyond its steps (which judge themselves): maxDuration. */
export function compileBrowserExpectations(check: Pick<ResolvedBrowserCheck, 'expect'>): readonly CompiledAssertion[] {
  return compileBrowser(check.expect);
}
