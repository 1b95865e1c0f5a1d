/**
 * `node build.mjs --if-stale`, what `npm start` runs first: in a small project of its own,
 * it builds when there is no build or a source is newer than the last one, says why, and
 * otherwise does not run the compiler at all.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths.js';

function build(cwd: string): { code: number | null; stderr: string } {
  const run = spawnSync(process.execPath, [join(repoRoot, 'build.mjs'), '--if-stale'], { cwd, encoding: 'utf8' });
  return { code: run.status, stderr: run.stderr };
}

test('builds when there is no build or a source changed, and skips the compiler when the build is current', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'canary-build-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { outDir: 'dist', incremental: true, tsBuildInfoFile: 'dist/.tsbuildinfo', strict: true },
      include: ['src/**/*.ts'],
    }),
  );
  writeFileSync(join(dir, 'package-lock.json'), '{}');
  const source = join(dir, 'src', 'a.ts');
  writeFileSync(source, 'export const a: number = 1;\n');

  const first = build(dir);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /building TypeScript into dist\/ \(no build yet\)/);
  assert.match(first.stderr, /built in \d+\.\d s/);
  assert.ok(existsSync(join(dir, 'dist', 'src', 'a.js')) || existsSync(join(dir, 'dist', 'a.js')));

  const second = build(dir);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, /up to date with the sources; not building/);

  const later = new Date(Date.now() + 60_000);
  writeFileSync(source, 'export const a: number = 2;\n');
  utimesSync(source, later, later);
  const third = build(dir);
  assert.equal(third.code, 0, third.stderr);
  assert.match(third.stderr, /\(1 file changed since the last build, e\.g\. src\/a\.ts\)/);

  writeFileSync(source, 'export const a: number = "not a number";\n');
  utimesSync(source, new Date(Date.now() + 120_000), new Date(Date.now() + 120_000));
  const broken = build(dir);
  assert.notEqual(broken.code, 0);
  assert.match(broken.stderr, /the build failed/);
});
