import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

/** The repository root (tests run from dist/test/..., fixtures live in the source tree). */
export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

/** Absolute path of a file under test/fixtures. */
export function fixture(...parts: string[]): string {
  return resolve(repoRoot, 'test', 'fixtures', ...parts);
}

/** The compiled CLI entry point. */
export const cliPath = resolve(repoRoot, 'dist', 'src', 'cli', 'main.js');

/**
 * A new temporary folder holding copies of these top-level folders of the repository, so a
 * test can run commands as the docs write them (relative paths, var/ beside config/) without
 * touching the real tree. The caller removes it.
 */
export function copyOfRepo(prefix: string, dirs: readonly string[] = ['config', 'chaos', 'probes']): string {
  const work = mkdtempSync(join(tmpdir(), prefix));
  for (const dir of dirs) cpSync(join(repoRoot, dir), join(work, dir), { recursive: true });
  return work;
}
