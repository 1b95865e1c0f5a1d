import type { CompiledAssertion } from './types.js';

/**
 * Caches compiled expectations by their `expect` object: a config reload builds new
 * objects, so stale entries are collected with the checks they belonged to.
 */
export function cached<E extends object>(
  compile: (expect: E) => CompiledAssertion[],
): (expect: E) => readonly CompiledAssertion[] {
  const compiled = new WeakMap<E, readonly CompiledAssertion[]>();
  return (expect) => {
    let list = compiled.get(expect);
    if (list === undefined) {
      list = Object.freeze(compile(expect));
      compiled.set(expect, list);
    }
    return list;
  };
}
