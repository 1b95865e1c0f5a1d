import { isScalar, parse as parseScalar, visit, type Scalar } from 'yaml';
import type { Problem } from '../errors.js';
import { formatPath, type YamlSource } from './yaml.js';

const REFERENCE = /\$\$|\$\{([^}]*)\}|\$\{/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in one string. `$$` is a literal `$`. An unset
 * variable without a default is an error naming it: silently probing an empty URL or
 * exposing an empty token is worse than refusing to start.
 */
export function interpolate(text: string, env: Env): { value: string; errors: string[] } {
  const errors: string[] = [];
  const value = text.replace(REFERENCE, (match, body: string | undefined) => {
    if (match === '$$') return '$';
    if (body === undefined) {
      errors.push('unterminated ${ in value (write $$ for a literal $)');
      return match;
    }
    const sep = body.indexOf(':-');
    const name = sep === -1 ? body : body.slice(0, sep);
    if (!NAME.test(name)) {
      errors.push(`invalid environment variable name "${name}" in \${${body}}`);
      return match;
    }
    const found = env[name];
    if (found !== undefined) return found;
    if (sep !== -1) return body.slice(sep + 2);
    errors.push(`environment variable ${name} is not set (use \${${name}:-default} to allow it to be unset)`);
    return match;
  });
  return { value, errors };
}

/**
 * Interpolates every string value (never keys) of a document in place and returns the
 * problems with their positions. An unquoted value that was only a reference, like
 * `concurrency: ${CONC}`, is re-read as a YAML scalar so numbers and booleans keep their type.
 */
export function interpolateDocument(source: YamlSource, env: Env): Problem[] {
  const problems: Problem[] = [];
  visit(source.doc, {
    Scalar(key, node: Scalar, path) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('$')) return;
      const { value, errors } = interpolate(node.value, env);
      const pos = source.lines.linePos(node.range?.[0] ?? 0);
      for (const message of errors) {
        problems.push({ file: source.file, line: pos.line, col: pos.col, path: keyPath(path, node), message });
      }
      node.value = retype(node, node.value, value);
    },
  });
  return problems;
}

function retype(node: Scalar, original: string, value: string): unknown {
  const whole = /^\$\{[^}]*\}$/.test(original);
  if (node.type !== 'PLAIN' || !whole || value === '') return value;
  const typed: unknown = parseScalar(value);
  return typeof typed === 'number' || typeof typed === 'boolean' ? typed : value;
}

function keyPath(ancestors: readonly unknown[], node: unknown): string {
  const keys: PropertyKey[] = [];
  let child = node;
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const parent = ancestors[i] as { items?: unknown[]; key?: unknown; value?: unknown };
    if (parent && 'key' in parent && parent.value === child) {
      keys.unshift(isScalar(parent.key) ? String(parent.key.value) : String(parent.key));
    } else if (Array.isArray(parent?.items)) {
      const index = parent.items.indexOf(child);
      if (index !== -1 && !('key' in (parent.items[index] as object))) keys.unshift(index);
    }
    child = parent;
  }
  return formatPath(keys);
}
