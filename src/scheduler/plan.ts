import { isDeepStrictEqual } from 'node:util';
import { CanaryError, ERROR_CODES } from '../errors.js';
import type { ResolvedCheck } from '../config/types.js';
import type { UpdateSummary } from './types.js';

/**
 * The checks to schedule, by name. Disabled checks are left out; a duplicate name is an
 * error because per-check state (schedule, no-overlap) is keyed by name.
 *
 * @throws CanaryError `CANARY_ERR_CONFIG` naming both places of a duplicated check name.
 */
export function indexChecks(checks: readonly ResolvedCheck[]): Map<string, ResolvedCheck> {
  const byName = new Map<string, ResolvedCheck>();
  for (const check of checks) {
    if (!check.enabled) continue;
    const other = byName.get(check.name);
    if (other) {
      const where = (c: ResolvedCheck) => `${c.source.file}:${c.source.line}:${c.source.col}`;
      throw new CanaryError(
        ERROR_CODES.config,
        `check name "${check.name}" is used twice (${where(other)} and ${where(check)})`,
      );
    }
    byName.set(check.name, check);
  }
  return byName;
}

/** True when two checks would run the same way: deep-equal apart from where they were written. */
export function sameDefinition(a: ResolvedCheck, b: ResolvedCheck): boolean {
  return isDeepStrictEqual({ ...a, source: undefined }, { ...b, source: undefined });
}

/** Sorts the names of `current` and `wanted` into added, removed, changed and unchanged. */
export function planUpdate(
  current: ReadonlyMap<string, ResolvedCheck>,
  wanted: ReadonlyMap<string, ResolvedCheck>,
): UpdateSummary {
  const summary: UpdateSummary = { added: [], removed: [], changed: [], unchanged: [] };
  for (const name of current.keys()) if (!wanted.has(name)) summary.removed.push(name);
  for (const [name, check] of wanted) {
    const old = current.get(name);
    if (!old) summary.added.push(name);
    else if (sameDefinition(old, check)) summary.unchanged.push(name);
    else summary.changed.push(name);
  }
  return summary;
}
