import {
  LineCounter,
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  visit,
  type Document,
  type Node,
  type YAMLError,
} from 'yaml';
import type { Problem } from '../errors.js';
import { excerptOf, plainSyntaxError } from './yaml-syntax.js';

/** A parsed YAML file that can still answer "where is this key?" for error messages. */
export interface YamlSource {
  file: string;
  doc: Document;
  lines: LineCounter;
}

/** Parses YAML keeping positions; syntax errors come back as problems, never thrown. */
export function parseYaml(file: string, text: string): { source: YamlSource; problems: Problem[] } {
  const lines = new LineCounter();
  // uniqueKeys: a key written twice is almost always a merge mistake that silently drops one.
  // logLevel: the package would print its own warnings (a map or list used as a key) to
  // stderr through process.emitWarning; the schema reports such a key as unknown instead.
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, logLevel: 'error' });
  // After the first syntax error the parser's view of the rest is guesswork, and its
  // follow-on errors bury the real one; so only the first is reported.
  const problems = [...doc.errors, ...doc.warnings].slice(0, 1).map((err) => syntaxProblem(file, text, lines, err));
  return { source: { file, doc, lines }, problems };
}

/** A syntax error in plain words, with the line it is on (shown with a caret under the column). */
function syntaxProblem(file: string, text: string, lines: LineCounter, err: YAMLError): Problem {
  const plain = plainSyntaxError(text, err);
  const { line, col } = lines.linePos(plain.offset);
  const excerpt = excerptOf((text.split('\n')[line - 1] ?? '').replace(/\r$/, ''), col);
  return { file, line, col, path: '', message: plain.message, excerpt };
}

/**
 * The document as plain data. Aliases are resolved with the `yaml` package's default cap
 * (100), so nested anchors that expand exponentially ("billion laughs") stop early; the
 * package throws a bare ReferenceError then, which becomes a problem at the first alias.
 */
export function yamlData(source: YamlSource, empty: unknown): { value: unknown; problems: Problem[] } {
  try {
    return { value: source.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? empty, problems: [] };
  } catch (err) {
    if (!(err instanceof ReferenceError)) throw err;
    // The package throws a ReferenceError for an alias whose anchor is not defined above
    // it, too; that one is placed at the alias and named.
    const unresolved = /^Unresolved alias\b.*: (.+)$/.exec(err.message)?.[1];
    let offset = 0;
    visit(source.doc, {
      Alias: (_key, node) => {
        if (unresolved !== undefined && node.source !== unresolved) return undefined;
        offset = node.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    const { line, col } = source.lines.linePos(offset);
    const message =
      unresolved === undefined
        ? 'too many alias expansions: nested anchors and aliases make this document grow exponentially; write the values out or nest fewer aliases'
        : `alias *${unresolved} has no anchor &${unresolved} before it`;
    return { value: undefined, problems: [{ file: source.file, line, col, path: '', message }] };
  }
}

const MAX_ALIAS_COUNT = 100;

export type PathKey = PropertyKey;

function scalarKey(node: unknown): unknown {
  return isScalar(node) ? node.value : node;
}

/**
 * Finds the deepest node along `path`. When `preferKey` is set and the last step is a map
 * key, the key node itself is returned (so "unknown key" points at the key, not its value).
 */
export function nodeAt(source: YamlSource, path: readonly PathKey[], preferKey = false): Node | undefined {
  let node: unknown = source.doc.contents;
  let found = node as Node | undefined;
  for (const [i, key] of path.entries()) {
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => String(scalarKey(p.key)) === String(key));
      if (!pair) break;
      node = last && preferKey ? pair.key : (pair.value ?? pair.key);
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
      if (node === undefined) break;
    } else {
      break;
    }
    found = node as Node;
  }
  return found;
}

/** 1-based line and column of the node at `path` (or of its deepest existing parent). */
export function positionAt(
  source: YamlSource,
  path: readonly PathKey[],
  preferKey = false,
): { line: number; col: number } {
  const node = nodeAt(source, path, preferKey);
  const offset = node?.range?.[0];
  if (offset === undefined) return { line: 1, col: 1 };
  return source.lines.linePos(offset);
}

/** Formats a key path the way users read it: `checks[2].expect.status`. */
export function formatPath(path: readonly PathKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join('');
}

/** The key path of `node` from the document root, given the ancestors a `yaml` visitor passes. */
export function keyPath(ancestors: readonly unknown[], node: unknown): PathKey[] {
  const keys: PathKey[] = [];
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
  return keys;
}
