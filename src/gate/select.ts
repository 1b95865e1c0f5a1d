/**
 * Which checks of the config a gate runs: named ones, or every enabled HTTP check,
 * narrowed by labels.
 */
import type { ResolvedCheck, ResolvedHttpCheck } from '../config/types.js';
import { CanaryError, ERROR_CODES } from '../errors.js';

/** How to pick checks. */
export interface CheckSelection {
  /** Check names (`--check`); empty: every enabled HTTP check. */
  names: readonly string[];
  /** Every one must equal the check's own label (`--label k=v`). */
  labels: Readonly<Record<string, string>>;
}

/** Most known names listed in an "unknown check" message. */
const MAX_LISTED = 20;

function usage(message: string): CanaryError {
  return new CanaryError(ERROR_CODES.usage, message);
}

/** Parses `k=v` flags into a map; a flag without `=` or with an empty name is a usage error. */
export function parseLabelFlags(flag: string, pairs: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw usage(`${flag} ${pair}: must be NAME=VALUE`);
    labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return labels;
}

/**
 * The checks to run, in config order. A named check runs even when disabled (asking for it
 * by name is explicit); without names, disabled checks are left out. Only HTTP checks can
 * be moved onto a base URL, so other kinds are left out, and naming one is an error.
 *
 * @throws CanaryError (usage) for an unknown or non-HTTP name, or when nothing is left to run.
 */
export function selectChecks(checks: readonly ResolvedCheck[], selection: CheckSelection): ResolvedHttpCheck[] {
  const known = new Set(checks.map((c) => c.name));
  const unknown = selection.names.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    const list = [...known].slice(0, MAX_LISTED).join(', ') + (known.size > MAX_LISTED ? ', ...' : '');
    throw usage(
      `--check: no check named ${unknown.map((n) => `"${n}"`).join(', ')} in the config (known: ${list || 'none'})`,
    );
  }
  const wanted = new Set(selection.names);
  const other = checks.find((c) => wanted.has(c.name) && c.kind !== 'http');
  if (other)
    throw usage(
      `--check ${other.name}: is a ${other.kind} check; the gate runs HTTP checks (it moves their URLs onto --base-url)`,
    );
  const labels = Object.entries(selection.labels);
  const picked = checks.filter(
    (c): c is ResolvedHttpCheck =>
      c.kind === 'http' &&
      (wanted.size > 0 ? wanted.has(c.name) : c.enabled) &&
      labels.every(([name, value]) => c.labels[name] === value),
  );
  if (picked.length === 0) {
    const why = labels.length > 0 ? ` with labels ${labels.map(([k, v]) => `${k}=${v}`).join(', ')}` : '';
    throw usage(`no checks to run: the config has no ${wanted.size > 0 ? 'named' : 'enabled'} HTTP check${why}`);
  }
  return picked;
}
