/**
 * `*File` keys (secrets/positions.ts): `tokenFile: PATH` becomes `token:` with the file's
 * content, read relative to the file that names it, and registered as a secret. This is
 * how Kubernetes Secrets and systemd credentials (`LoadCredential=`) reach the agent
 * without passing through the environment.
 */
import { dirname, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { isScalar, Scalar, visit, type Pair } from 'yaml';
import type { Problem } from '../errors.js';
import { SECRET_FILE_KEYS } from '../secrets/positions.js';
import { registerSecret } from '../secrets/registry.js';
import { formatPath, keyPath, type PathKey, type YamlSource } from './yaml.js';

/** The content of a secret file: one trailing newline (what `echo` and editors add) is not part of it. */
export function readSecretFile(path: string): string {
  return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
}

function problemAt(source: YamlSource, pair: Pair, path: PathKey[], message: string): Problem {
  const pos = source.lines.linePos((pair.key as Scalar).range?.[0] ?? 0);
  return { file: source.file, line: pos.line, col: pos.col, path: formatPath(path), message };
}

/** Replaces each `*File` pair of the document by its plain key and the file's content. */
export function resolveSecretFiles(source: YamlSource): Problem[] {
  const problems: Problem[] = [];
  const baseDir = dirname(source.file);
  visit(source.doc, {
    Map(_key, map, ancestors) {
      const failed = new Set<Pair>();
      for (const pair of map.items) {
        const name = isScalar(pair.key) ? String(pair.key.value) : undefined;
        const plain = name === undefined ? undefined : SECRET_FILE_KEYS[name];
        if (plain === undefined || name === undefined) continue;
        const problem = replacePair(pair, plain, baseDir, map.items);
        if (problem === undefined) continue;
        problems.push(problemAt(source, pair, [...keyPath(ancestors, map), name], problem));
        failed.add(pair);
      }
      // Reported once, as what it is, not again as an unknown key.
      if (failed.size > 0) map.items = map.items.filter((pair) => !failed.has(pair));
    },
  });
  return problems;
}

function replacePair(pair: Pair, plain: string, baseDir: string, siblings: readonly Pair[]): string | undefined {
  if (siblings.some((p) => isScalar(p.key) && p.key.value === plain)) return `set ${plain} or its file, not both`;
  const path = isScalar(pair.value) ? pair.value.value : undefined;
  if (typeof path !== 'string' || path === '') return 'must be the path of a file';
  let content: string;
  try {
    content = readSecretFile(resolve(baseDir, path));
  } catch (err) {
    return `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`;
  }
  registerSecret(content);
  const value = new Scalar(content);
  // Quoted: the content of a secret file is a string, whatever it looks like.
  value.type = 'QUOTE_DOUBLE';
  (pair.key as Scalar).value = plain;
  pair.value = value;
  return undefined;
}
