import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** The repository root (tests run from dist/test/..., fixtures live in the source tree). */
export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

/** Absolute path of a file under test/fixtures. */
export function fixture(...parts: string[]): string {
  return resolve(repoRoot, 'test', 'fixtures', ...parts);
}

/** The compiled CLI entry point. */
export const cliPath = resolve(repoRoot, 'dist', 'src', 'cli', 'main.js');
