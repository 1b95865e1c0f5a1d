/**
 * A `${VAR}` standing alone as a plain scalar is read as YAML (env.ts), so
 * `concurrency: ${CONC}` is a number. Where the schema wants a string, that guess is
 * wrong: `token: ${TOKEN}` with TOKEN=31337000 must stay the text "31337000", and
 * `0x1F` must not become 31. So each such guess is noted, and after a failed parse the
 * ones the schema refused for not being a string get their exact text back.
 */
import type { z } from 'zod';
import type { PathKey, YamlSource } from './yaml.js';

type Issue = z.core.$ZodIssue;

interface Retyped {
  path: PathKey[];
  text: string;
}

const RETYPED = new WeakMap<YamlSource, Retyped[]>();

/** Notes that the value at `path` was the text `text` before it was read as a number or boolean. */
export function noteRetyped(source: YamlSource, path: PathKey[], text: string): void {
  const list = RETYPED.get(source) ?? [];
  list.push({ path, text });
  RETYPED.set(source, list);
}

/** The paths (from the root) of the issues that say "expected a string", unions included. */
function wantsString(issues: readonly Issue[], prefix: readonly PathKey[] = []): string[] {
  const out: string[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_type' && issue.expected === 'string') out.push(JSON.stringify(path));
    if (issue.code === 'invalid_union') for (const branch of issue.errors) out.push(...wantsString(branch, path));
  }
  return out;
}

function setAt(root: unknown, path: readonly PathKey[], value: string): void {
  let node = root as Record<PathKey, unknown> | undefined;
  for (const key of path.slice(0, -1)) node = node?.[key] as Record<PathKey, unknown> | undefined;
  const last = path.at(-1);
  if (node && typeof node === 'object' && last !== undefined) node[last] = value;
}

/**
 * Parses `raw` with `parse`; when the schema refused a retyped value for not being a
 * string, puts the value's text back (in `raw`) and parses again.
 */
export function keepStrings<R extends { success: boolean; error?: { issues: readonly Issue[] } }>(
  source: YamlSource,
  raw: unknown,
  parse: (raw: unknown) => R,
): R {
  const result = parse(raw);
  const retyped = RETYPED.get(source);
  if (result.success || retyped === undefined) return result;
  const paths = new Set(wantsString(result.error?.issues ?? []));
  const fixes = retyped.filter((r) => paths.has(JSON.stringify(r.path)));
  if (fixes.length === 0) return result;
  for (const fix of fixes) setAt(raw, fix.path, fix.text);
  return parse(raw);
}
