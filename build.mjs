// Builds the TypeScript into dist/, saying so. With --if-stale (what `npm start` uses) it
// builds only when a source file, tsconfig.json or package-lock.json is newer than the last
// build: tsc's own incremental check still reads the whole program, which takes seconds.
//
//   node build.mjs [--if-stale]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const STAMP = join('dist', '.tsbuildinfo');
const SOURCES = ['src', 'test'];
const INPUTS = ['tsconfig.json', 'package-lock.json'];

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function tsFiles(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** Files newer than the last build; every input when there was none. */
function changedSince(built) {
  const inputs = [...SOURCES.flatMap(tsFiles), ...INPUTS];
  return inputs.filter((file) => (mtime(file) ?? 0) > built);
}

const built = mtime(STAMP);
const changed = changedSince(built ?? 0);
if (process.argv.includes('--if-stale') && built !== undefined && changed.length === 0) {
  console.error('canary: dist/ is up to date with the sources; not building');
  process.exit(0);
}
const why =
  built === undefined
    ? 'no build yet'
    : `${changed.length} file${changed.length === 1 ? '' : 's'} changed since the last build${changed.length > 0 ? `, e.g. ${changed[0]}` : ''}`;
console.error(`canary: building TypeScript into dist/ (${why})…`);
const started = Date.now();
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { stdio: 'inherit' });
if (result.status !== 0) {
  console.error('canary: the build failed (see above)');
  process.exit(result.status ?? 1);
}
// tsc leaves its build info untouched when nothing changed: mark the build as done now.
const now = new Date();
utimesSync(STAMP, now, now);
console.error(`canary: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
