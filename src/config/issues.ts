import { z } from 'zod';
import type { Problem } from '../errors.js';
import { knownKeys, memberNamed, unionAt, type Schema } from './schema-at.js';
import { closest, didYouMean } from './suggest.js';
import { formatPath, positionAt, type YamlSource } from './yaml.js';

type Issue = z.core.$ZodIssue;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function nameOf(expected: string): string {
  if (expected === 'object' || expected === 'record') return 'a map';
  if (expected === 'array') return 'a list';
  if (expected === 'int') return 'an integer';
  return `a ${expected}`;
}

/**
 * Rewrites zod's messages into the words of a config file (maps, lists, keys), because the
 * reader is an operator looking at YAML, not a TypeScript developer.
 */
function messageFor(issue: Issue, input: unknown): string {
  switch (issue.code) {
    case 'invalid_key':
      return issue.issues.map((inner) => inner.message).join('; ');
    case 'invalid_type':
      // A message set on the schema itself is already in the user's words.
      if (!issue.message.startsWith('Invalid input')) return issue.message;
      return input === undefined ? 'is required' : `must be ${nameOf(issue.expected)}, got ${describe(input)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describe(input)}`;
    case 'invalid_union': {
      // A wrong `kind` comes back as a union issue carrying the allowed discriminator values
      // (and zod's own "Invalid discriminator value" text, which is not the user's words).
      const options = (issue as { options?: unknown }).options;
      if (Array.isArray(options)) {
        const allowed = options.map((v) => JSON.stringify(v)).join(', ');
        return input === undefined
          ? `is required: one of ${allowed}`
          : `must be one of ${allowed}, got ${describe(input)}`;
      }
      // A message set on the union itself is already in the user's words.
      if (!issue.message.startsWith('Invalid input')) return issue.message;
      // Otherwise the branch of the input's own type failed for a reason worth showing
      // (a malformed "2xx"), rather than zod's "Invalid input".
      const specific = issue.errors.flat().find((inner) => inner.code !== 'invalid_type');
      return specific ? messageFor(specific, input) : issue.message;
    }
    case 'too_small':
      if (issue.origin === 'array') return `must have at least ${String(issue.minimum)} item(s)`;
      if (issue.origin === 'string') return `must not be empty`;
      return `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'array') return `must have at most ${String(issue.maximum)} item(s)`;
      if (issue.origin === 'string') return `must be at most ${String(issue.maximum)} characters`;
      return `must be at most ${String(issue.maximum)}`;
    default:
      return issue.message;
  }
}

/** The value at `path` inside `root`, or undefined where the path leaves the document. */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** What the issues of one document are read against: `data` and `schema` sit at `prefix`. */
interface Context {
  source: YamlSource;
  data: unknown;
  prefix: readonly PropertyKey[];
  schema?: Schema;
}

function problemAt(ctx: Context, path: readonly PropertyKey[], message: string, onKey = false): Problem {
  const at = [...ctx.prefix, ...path];
  return { file: ctx.source.file, ...positionAt(ctx.source, at, onKey), path: formatPath(at), message };
}

/** `unknown key "intreval" (did you mean "interval"?)`, the known keys taken from the schema there. */
function unknownKey(ctx: Context, path: readonly PropertyKey[], key: string): Problem {
  const known = ctx.schema ? knownKeys(ctx.schema, ctx.data, path) : [];
  return problemAt(ctx, [...path, key], `unknown key ${JSON.stringify(key)}${didYouMean(key, known)}`, true);
}

/**
 * A union told apart by a key (`kind`) whose value names no member. A near miss is named
 * (`unknown kind "htp" (did you mean "http"?)`) and the rest of the map is checked as
 * that member, so its other problems show in the same run rather than after the fix.
 */
function unknownMember(ctx: Context, issue: Issue, input: unknown): Problem[] | undefined {
  const { discriminator, options } = issue as { discriminator?: unknown; options?: unknown };
  if (typeof discriminator !== 'string' || !Array.isArray(options) || typeof input !== 'string') return undefined;
  const allowed = options.filter((o): o is string => typeof o === 'string');
  const guess = closest(input, allowed);
  const unknown = `unknown ${discriminator} ${JSON.stringify(input)}`;
  if (guess === undefined) {
    return [
      problemAt(ctx, issue.path, `${unknown}: must be one of ${allowed.map((o) => JSON.stringify(o)).join(', ')}`),
    ];
  }
  return [problemAt(ctx, issue.path, `${unknown} (did you mean "${guess}"?)`), ...asMember(ctx, issue.path, guess)];
}

/** The problems of the map holding the discriminator at `keyPath`, read as the member `name` names. */
function asMember(ctx: Context, keyPath: readonly PropertyKey[], name: string): Problem[] {
  const mapPath = keyPath.slice(0, -1);
  const key = keyPath.at(-1);
  const map = valueAt(ctx.data, mapPath);
  if (!ctx.schema || typeof key !== 'string' || map === null || typeof map !== 'object' || Array.isArray(map))
    return [];
  const member = memberNamed(unionAt(ctx.schema, ctx.data, mapPath), key, name);
  if (member === undefined) return [];
  const data = { ...map, [key]: name };
  const parsed = z.safeParse(member, data);
  if (parsed.success) return [];
  return issuesToProblems(ctx.source, data, parsed.error.issues, [...ctx.prefix, ...mapPath], member);
}

/**
 * Whether a union member refused the value for its type alone (a list where a number
 * goes): such a member says nothing about what is wrong with the value.
 */
function mismatch(issues: readonly Issue[]): boolean {
  return issues.some(
    (i) =>
      i.path.length === 0 &&
      (i.code === 'invalid_type' || (i.code === 'invalid_union' && i.errors.length > 0 && i.errors.every(mismatch))),
  );
}

/** The names of the types the members of a union take: `a list, an integer or a string`. */
function expectedTypes(issues: readonly Issue[]): string[] {
  return issues.flatMap((i) => {
    if (i.path.length > 0) return [];
    if (i.code === 'invalid_type') return [nameOf(i.expected)];
    return i.code === 'invalid_union' ? i.errors.flatMap(expectedTypes) : [];
  });
}

function orList(words: readonly string[]): string {
  const unique = [...new Set(words)];
  return unique.length < 2 ? (unique[0] ?? '') : `${unique.slice(0, -1).join(', ')} or ${unique.at(-1)}`;
}

/**
 * A union none of whose members took the value. When exactly one member takes values of
 * its type (a list for `status: [200, 6xx]`), its own problems are reported at their
 * own places (`status[1]`); when none does, the types it takes are named.
 */
function unionProblems(ctx: Context, issue: Issue & { code: 'invalid_union' }, input: unknown): Problem[] | undefined {
  if (issue.errors.length === 0 || !issue.message.startsWith('Invalid input')) return undefined;
  const fitting = issue.errors.flatMap((branch, i) => (mismatch(branch) ? [] : [{ branch, i }]));
  if (fitting.length === 0) {
    const types = orList(issue.errors.flatMap(expectedTypes));
    return types === '' ? undefined : [problemAt(ctx, issue.path, `must be ${types}, got ${describe(input)}`)];
  }
  if (fitting.length > 1) return undefined;
  const { branch, i } = fitting[0]!;
  const member = ctx.schema ? unionAt(ctx.schema, ctx.data, issue.path)[i] : undefined;
  return issuesToProblems(ctx.source, input, branch, [...ctx.prefix, ...issue.path], member);
}

function problemsOf(ctx: Context, issue: Issue): Problem[] {
  if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => unknownKey(ctx, issue.path, key));
  // zod reports a wrong discriminator at [..., 'kind']; the value there is the user's.
  const input = valueAt(ctx.data, issue.path);
  if (issue.code === 'invalid_union') {
    const special = unknownMember(ctx, issue, input) ?? unionProblems(ctx, issue, input);
    if (special) return special;
  }
  return [problemAt(ctx, issue.path, messageFor(issue, input), issue.code === 'invalid_key')];
}

/**
 * Turns zod issues for a document into problems placed at their line and column. With
 * `schema` (what judged `data`), an unknown key is compared with the keys allowed there.
 */
export function issuesToProblems(
  source: YamlSource,
  data: unknown,
  issues: readonly Issue[],
  prefix: readonly PropertyKey[] = [],
  schema?: Schema,
): Problem[] {
  const ctx: Context = { source, data, prefix, schema };
  return issues.flatMap((issue) => problemsOf(ctx, issue));
}
