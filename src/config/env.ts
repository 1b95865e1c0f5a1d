import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isScalar, parse as parseScalar, visit, type Scalar } from 'yaml';
import type { Problem } from '../errors.js';
import { isSecretPosition, LITERAL_SECRET_KEYS, literalSecrets, urlSecrets } from '../secrets/positions.js';
import { registerSecret } from '../secrets/registry.js';
import { readSecretFile, resolveSecretFiles } from './secret-files.js';
import { noteRetyped } from './retype.js';
import { formatPath, keyPath, parseYaml, type PathKey, type YamlSource } from './yaml.js';

const REFERENCE = /\$\$|\$\{([^}]*)\}|\$\{/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FILE_PREFIX = 'file:';

type Env = Readonly<Record<string, string | undefined>>;

/** Where `${file:PATH}` paths are relative to, and where substituted values are reported. */
export interface InterpolateOptions {
  /** The directory of the file being read; `${file:PATH}` is relative to it. */
  baseDir?: string;
  /** Called with each value substituted from a variable or a file, and whether it came from a file. */
  onValue?: (value: string, fromFile: boolean) => void;
  /** Leave `${1}`, `${2}`... as written: a tcp/unix step fills them from its expect match at run time. */
  keepGroups?: boolean;
}

const GROUP_NUMBER = /^[0-9]+$/;

/**
 * Whether `keys` is a conversation step's `send` or a `labels` value, where `${1}`... are
 * the expect match's groups (blackbox_exporter's query_response) rather than variables.
 */
function capturePosition(keys: readonly PathKey[]): boolean {
  if (keys.at(-1) === 'send') return keys.at(-3) === 'steps';
  return keys.at(-1) === 'value' && keys.at(-3) === 'labels' && keys.at(-5) === 'steps';
}

function fileReference(path: string, options: InterpolateOptions, errors: string[]): string | undefined {
  if (path === '') {
    errors.push('empty path in ${file:}');
    return undefined;
  }
  try {
    const value = readSecretFile(resolve(options.baseDir ?? '.', path));
    options.onValue?.(value, true);
    return value;
  } catch (err) {
    errors.push(`cannot read \${file:${path}}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    return undefined;
  }
}

/**
 * Replaces `${VAR}`, `${VAR:-default}` and `${file:PATH}` in one string. `$$` is a literal
 * `$`. An unset variable without a default is an error naming it: silently probing an
 * empty URL or exposing an empty token is worse than refusing to start.
 */
export function interpolate(
  text: string,
  env: Env,
  options: InterpolateOptions = {},
): { value: string; errors: string[] } {
  const errors: string[] = [];
  const value = text.replace(REFERENCE, (match, body: string | undefined) => {
    if (match === '$$') return '$';
    if (body === undefined) {
      errors.push('unterminated ${ in value (write $$ for a literal $)');
      return match;
    }
    if (options.keepGroups === true && GROUP_NUMBER.test(body)) return match;
    if (body.startsWith(FILE_PREFIX)) return fileReference(body.slice(FILE_PREFIX.length), options, errors) ?? match;
    const sep = body.indexOf(':-');
    const name = sep === -1 ? body : body.slice(0, sep);
    if (!NAME.test(name)) {
      errors.push(`invalid environment variable name "${name}" in \${${body}}`);
      return match;
    }
    const found = env[name];
    if (found !== undefined) {
      options.onValue?.(found, false);
      return found;
    }
    if (sep !== -1) return body.slice(sep + 2);
    errors.push(`environment variable ${name} is not set (use \${${name}:-default} to allow it to be unset)`);
    return match;
  });
  return { value, errors };
}

/**
 * Interpolates every string value (never keys) of a document in place, resolves its
 * `*File` keys, and returns the problems with their positions. Values substituted at a
 * place that holds credentials (secrets/positions.ts), and every value read from a file,
 * are registered as secrets. An unquoted value that was only a reference, like
 * `concurrency: ${CONC}`, is re-read as a YAML scalar so numbers and booleans keep their
 * type; where the schema wants a string, {@link keepStrings} (retype.ts) puts the text back.
 */
export function interpolateDocument(source: YamlSource, env: Env): Problem[] {
  const problems: Problem[] = [];
  const baseDir = dirname(source.file);
  visit(source.doc, {
    Scalar(key, node: Scalar, path) {
      if (key === 'key' || typeof node.value !== 'string') return;
      if (!node.value.includes('$')) {
        // Only a few keys can hold a literal secret: the full path (a walk up the
        // document) is built for those alone, not for every scalar of a large file.
        const parent = path.at(-1) as { key?: unknown } | undefined;
        const name = isScalar(parent?.key) ? parent.key.value : undefined;
        if (typeof name === 'string' && LITERAL_SECRET_KEYS.has(name))
          for (const part of literalSecrets(keyPath(path, node), node.value)) registerSecret(part);
        return;
      }
      const keys = keyPath(path, node);
      const secret = isSecretPosition(keys);
      const onValue = (value: string, fromFile: boolean): void => {
        if (secret || fromFile) registerSecret(value);
      };
      const keepGroups = capturePosition(keys);
      const { value, errors } = interpolate(node.value, env, { baseDir, onValue, keepGroups });
      const pos = source.lines.linePos(node.range?.[0] ?? 0);
      for (const message of errors) {
        problems.push({ file: source.file, line: pos.line, col: pos.col, path: formatPath(keys), message });
      }
      // A URL built from variables: its password and secret query values are secrets too.
      for (const part of urlSecrets(value)) registerSecret(part);
      node.value = retype(source, keys, node, value);
    },
  });
  problems.push(...resolveSecretFiles(source));
  return problems;
}

function retype(source: YamlSource, keys: PathKey[], node: Scalar, value: string): unknown {
  const whole = /^\$\{[^}]*\}$/.test(node.value as string);
  if (node.type !== 'PLAIN' || !whole || value === '') return value;
  const typed: unknown = parseScalar(value);
  if (typeof typed !== 'number' && typeof typed !== 'boolean') return value;
  noteRetyped(source, keys, value);
  return typed;
}

/**
 * Reads a file only to register the secrets it takes from `env` and from files, as loading
 * it would. Recovery uses it on a dead run's experiment: the journal keeps only hashes of
 * those values. A file that is gone or broken registers nothing; the calls that need its
 * secrets then fail naming the missing hashes.
 */
export async function registerSecretsOf(file: string, env: Env): Promise<void> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return;
  const { source, problems } = parseYaml(file, text);
  if (problems.length === 0) interpolateDocument(source, env);
}
