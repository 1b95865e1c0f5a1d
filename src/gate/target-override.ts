/**
 * Points a check at another deployment of the same service: the new bank in a
 * blue/green switch, or the first slice of a graduated rollout. The check's path and
 * query stay (they are what the check tests); where it goes comes from the base URL.
 */
import type { ResolvedHttpCheck } from '../config/types.js';

/** Why a base URL cannot be used; `undefined` when it can. */
export function baseUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be an absolute http:// or https:// URL';
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '')
    return 'must be an absolute http:// or https:// URL';
  // A query or fragment on the base has no place to go: each check brings its own query.
  if (url.search !== '' || url.hash !== '') return 'must not have a query or fragment (each check keeps its own)';
  return undefined;
}

/**
 * The check's target with scheme, host and port taken from `base`. A path on the base is
 * a prefix, put in front of the target's path (for a deployment mounted under one). The
 * target's query is kept, and its credentials when it has any (else the base's); its fragment is never sent, so it is dropped.
 *
 * @example
 * overrideTarget('https://api.example.com/v1/search?q=x', new URL('http://10.0.0.7:8080'))
 * // 'http://10.0.0.7:8080/v1/search?q=x'
 * overrideTarget('https://api.example.com/v1/search', new URL('https://green.example.com/blue-green/'))
 * // 'https://green.example.com/blue-green/v1/search'
 */
export function overrideTarget(target: string, base: URL): string {
  const from = new URL(target);
  const to = new URL(base.href);
  const prefix = base.pathname.replace(/\/+$/, '');
  to.pathname = `${prefix}${from.pathname}`;
  to.search = from.search;
  to.hash = '';
  if (from.username !== '' || from.password !== '') {
    to.username = from.username;
    to.password = from.password;
  }
  return to.href;
}

/** The checks, each aimed at `base` (new objects; the loaded config stays as it was). */
export function overrideChecks(checks: readonly ResolvedHttpCheck[], base: URL): ResolvedHttpCheck[] {
  return checks.map((check) => ({ ...check, target: overrideTarget(check.target, base) }));
}
