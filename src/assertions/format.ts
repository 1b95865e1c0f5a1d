/**
 * How values appear in outcomes. Outcomes end up in logs and `canary probe` output, so
 * values are quoted (an empty string stays visible) and cut short (a 1 MiB body is not).
 */

/** Longest value text kept in an outcome. */
const MAX_SHOWN = 80;

/** Cuts text to {@link MAX_SHOWN} characters, marking the cut. */
export function truncate(text: string): string {
  return text.length <= MAX_SHOWN ? text : `${text.slice(0, MAX_SHOWN)}…`;
}

/** A value as JSON text, cut short: strings quoted, numbers and null bare. */
export function show(value: unknown): string {
  return truncate(JSON.stringify(value) ?? String(value));
}

/** A regex the way people write one in prose: `/^ok$/`. */
export function showRegex(re: RegExp): string {
  return `/${re.source}/`;
}
