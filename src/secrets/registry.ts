/**
 * The secret values this process knows: every value a config or experiment file took from
 * `${VAR}` or a file at a place that holds credentials (see positions.ts), and every value
 * read from a secret file. The sinks (logs, spans, journal, audit, CLI output, error
 * messages) replace them before anything is printed or stored.
 *
 * One set per process (per thread): values come from files the process loaded, and every
 * sink of the process must know all of them, whichever part loaded them.
 */

/**
 * Values shorter than this are not registered: a two-character secret is no secret, and
 * redacting `on`, `1` or `GET` wherever they appear would garble every log line.
 */
export const MIN_SECRET_LENGTH = 4;

const known = new Set<string>();
/** Longest first: a secret that contains another is replaced whole, never half. */
let ordered: readonly string[] = [];

/** Records `value` as a secret (a no-op for short or already known values); true when it was new. */
export function registerSecret(value: string): boolean {
  if (value.length < MIN_SECRET_LENGTH || known.has(value)) return false;
  known.add(value);
  ordered = [...known].sort((a, b) => b.length - a.length);
  return true;
}

/**
 * Forgets one value registered by {@link registerSecret}. For values that are replaced as
 * they go (an OAuth2 access token refreshed every hour): the registry keeps the live one,
 * instead of growing by one value per refresh for as long as the agent runs.
 */
export function forgetSecret(value: string): void {
  if (!known.delete(value)) return;
  ordered = ordered.filter((s) => s !== value);
}

/** The known secrets, longest first. */
export function secretValues(): readonly string[] {
  return ordered;
}

/** Forgets every secret; for tests, which load many configs in one process. */
export function forgetSecrets(): void {
  known.clear();
  ordered = [];
}
