import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import type { Problem } from '../../errors.js';
import { parseGroups, type SdDocument } from './groups.js';

/** What the file_sd globs of one source matched and held. */
export interface FileSdResult {
  /** Files matched, absolute and sorted. */
  files: string[];
  docs: SdDocument[];
  problems: Problem[];
}

/**
 * Reads every file the globs match (relative to `baseDir`). A glob matching nothing is
 * not a problem, as in Prometheus: the files may be written later. An unreadable or
 * malformed file is, with its place.
 */
export async function readFileSd(patterns: readonly string[], baseDir: string): Promise<FileSdResult> {
  const files: string[] = [];
  for (const pattern of patterns) {
    const matched = isDynamicPattern(pattern)
      ? await glob(pattern, { cwd: baseDir, absolute: true, onlyFiles: true })
      : [resolve(baseDir, pattern)];
    for (const file of matched) if (!files.includes(file)) files.push(file);
  }
  files.sort();
  const docs: SdDocument[] = [];
  const problems: Problem[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      // A literal path not written yet is like a glob matching nothing.
      if (code !== 'ENOENT')
        problems.push({ file, line: 0, col: 0, path: '', message: `cannot read file_sd file: ${code}` });
      continue;
    }
    const parsed = parseGroups(file, text);
    problems.push(...parsed.problems);
    if (parsed.doc) docs.push(parsed.doc);
  }
  return { files, docs, problems };
}
