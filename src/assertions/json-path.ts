import { CanaryError, ERROR_CODES } from '../errors.js';

/** One step of a JSON path: an object key or an array index. */
export type PathSegment = { key: string } | { index: number };

/** Result of following a path: the value, or the prefix of the path where it stopped. */
export type Resolved = { found: true; value: unknown } | { found: false; missingAt: string };

// The grammar of the schema's path regex, one step at a time: `.key`, `[3]`, `["any key"]`.
const STEP = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\["([^"]*)"\]/y;
const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/**
 * Parses the small JSON path subset the schema accepts: `$`, `.key`, `[index]` and
 * `["key with-dash"]`. The schema validated the path already, so a failure here is a bug.
 */
export function parseJsonPath(path: string): PathSegment[] {
  if (!path.startsWith('$')) throw new CanaryError(ERROR_CODES.internal, `JSON path must start with $: ${path}`);
  const segments: PathSegment[] = [];
  STEP.lastIndex = 1;
  while (STEP.lastIndex < path.length) {
    const at = STEP.lastIndex;
    const m = STEP.exec(path);
    if (!m) throw new CanaryError(ERROR_CODES.internal, `invalid JSON path ${path} at character ${at + 1}`);
    if (m[2] !== undefined) segments.push({ index: Number(m[2]) });
    else segments.push({ key: (m[1] ?? m[3]) as string });
  }
  return segments;
}

/** Writes segments back as a path, for messages: `$.items[0]["a b"]`. */
export function formatJsonPath(segments: readonly PathSegment[]): string {
  return (
    '$' +
    segments.map((s) => ('index' in s ? `[${s.index}]` : PLAIN_KEY.test(s.key) ? `.${s.key}` : `["${s.key}"]`)).join('')
  );
}

function step(value: unknown, segment: PathSegment): { found: boolean; value?: unknown } {
  if ('index' in segment) {
    if (!Array.isArray(value) || segment.index >= value.length) return { found: false };
    return { found: true, value: value[segment.index] as unknown };
  }
  // Own properties only: `$.constructor` must not find Object's prototype.
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, segment.key)) {
    return { found: false };
  }
  return { found: true, value: (value as Record<string, unknown>)[segment.key] };
}

/** Follows a path through a parsed JSON value. A `null` along the way is found; a missing key is not. */
export function resolveJsonPath(root: unknown, segments: readonly PathSegment[]): Resolved {
  let value = root;
  for (let i = 0; i < segments.length; i++) {
    const next = step(value, segments[i] as PathSegment);
    if (!next.found) return { found: false, missingAt: formatJsonPath(segments.slice(0, i + 1)) };
    value = next.value;
  }
  return { found: true, value };
}
