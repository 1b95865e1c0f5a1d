/**
 * What the configuration files say, as one digest: a reload asked for by the file watch
 * whose digest is the one last loaded has nothing to do. Editors, config management and
 * `touch` rewrite files without changing them; so would a log written beside the config.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { glob } from 'tinyglobby';
import type { WatchSet } from './watch.js';

/** The files of `set`: those named, and what each glob matches now, sorted and without repeats. */
async function filesOf(set: WatchSet): Promise<string[]> {
  const found = new Set(set.files);
  for (const { pattern, baseDir } of set.globs ?? []) {
    for (const file of await glob(pattern, { cwd: baseDir, absolute: true, onlyFiles: true })) found.add(file);
  }
  return [...found].sort();
}

/** SHA-256 over every file's path and content (a missing or unreadable file counts as such). */
export async function fingerprint(set: WatchSet): Promise<string> {
  const hash = createHash('sha256');
  for (const file of await filesOf(set)) {
    const content = await readFile(file).catch(() => undefined);
    hash.update(`${file}\0${content === undefined ? 'missing' : content.length}\0`);
    if (content) hash.update(content);
  }
  return hash.digest('hex');
}
