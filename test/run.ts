/**
 * Runs every compiled `*.test.js` under dist/test with node's test runner (the benchmark
 * harness's own tests included). Files are listed explicitly because node's own directory
 * search also treats every file below a `test/` folder as a test, which would start the
 * benchmark itself.
 *
 * Usage: node dist/test/run.js [substring ...]   (only files whose path contains one)
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

function collect(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return collect(path);
    return entry.name.endsWith('.test.js') ? [path] : [];
  });
}

const filters = process.argv.slice(2);
const files = collect(here)
  .filter((f) => filters.length === 0 || filters.some((s) => relative(here, f).includes(s)))
  .sort();
if (files.length === 0) {
  console.error(`no test files matched ${filters.join(' ')}`);
  process.exit(1);
}
const child = spawn(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
