import type { z } from 'zod';
import type { Problem } from '../errors.js';
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

/** Turns zod issues for a document into problems placed at their line and column. */
export function issuesToProblems(
  source: YamlSource,
  data: unknown,
  issues: readonly Issue[],
  prefix: readonly PropertyKey[] = [],
): Problem[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const at = [...path, key];
        return { file: source.file, ...positionAt(source, at, true), path: formatPath(at), message: 'unknown key' };
      });
    }
    // zod reports a wrong discriminator at [..., 'kind']; the value there is the user's.
    const input = valueAt(data, issue.path);
    const onKey = issue.code === 'invalid_key';
    return [
      {
        file: source.file,
        ...positionAt(source, path, onKey),
        path: formatPath(path),
        message: messageFor(issue, input),
      },
    ];
  });
}
