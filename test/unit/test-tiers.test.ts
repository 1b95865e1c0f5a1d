/**
 * The unit tier keeps its meaning only if nothing in it reaches outside the process: no
 * sockets, no servers, no child processes or threads, no external tools, no fetch, no
 * fs.watch. (Loopback servers and child processes are the integration tier; the CLI as users
 * run it is the e2e tier.) This reads every source under test/unit/ and every test-side
 * module it imports (test/helpers, test/bench, test/fixtures, followed transitively), and
 * fails naming the file, the import and the way it was reached.
 *
 * Modules of src/ are the code under test and are not followed: a unit test may import a
 * module that elsewhere leads to I/O (the scheduler, the probe registry given fake probes).
 * It may not import a src module that itself imports a network or process module: such a
 * module is an I/O edge, and its test belongs in test/integration.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { repoRoot } from '../helpers/paths.js';

/** Modules that open sockets, start processes or threads, or talk to a server. */
const FORBIDDEN = new Set([
  ...['net', 'http', 'https', 'http2', 'tls', 'dgram', 'child_process', 'worker_threads', 'cluster'].flatMap((m) => [
    m,
    `node:${m}`,
  ]),
  'undici',
  '@grpc/grpc-js',
  'toxiproxy-node-client',
  '@opentelemetry/exporter-trace-otlp-http',
  '@opentelemetry/exporter-trace-otlp-proto',
  '@opentelemetry/otlp-exporter-base',
]);

/** Files that break the rule today, each with why it is still here; an entry that no longer applies fails. */
const KNOWN_MISPLACED = new Map<string, string>([]);

/** This file names the forbidden modules and calls as data, so it is not read for them. */
const SELF = 'test/unit/test-tiers.test.ts';

/** Reads a file by absolute path; undefined when there is none. */
type Read = (path: string) => string | undefined;

const readDisk: Read = (path) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined);

/**
 * The source without comments, so prose about a server or fetch() is not read as code. Only
 * block comments that open a line count, so a glob such as '*.yaml' after a slash in a
 * string is never taken for one.
 */
function code(source: string): string {
  return source.replace(/^\s*\/\*[\s\S]*?\*\//gm, '').replace(/(^|\s)\/\/.*$/gm, '$1');
}

/** `import type` and `export type` statements: erased by the compiler, so they load nothing. */
const TYPE_ONLY = /\b(?:import|export)\s+type\s[^;]*?\bfrom\s*(['"])[^'"\n]+\1/g;

/** Every module specifier a source loads at run time, statically, dynamically or by require. */
function specifiers(source: string): string[] {
  const found: string[] = [];
  for (const m of source
    .replace(TYPE_ONLY, '')
    .matchAll(/(?:\bfrom|\bimport|\brequire\s*\(|\bimport\s*\()\s*(['"])([^'"\n]+)\1/g))
    found.push(m[2] as string);
  return found;
}

/** Calls a unit test must not make itself, whatever it imports. */
function forbiddenCalls(source: string): string[] {
  const calls: string[] = [];
  if (/\bfetch\s*\(/.test(source)) calls.push('fetch()');
  if (
    /\bfs\.watch(?:File)?\s*\(/.test(source) ||
    /import\s*\{[^}]*\bwatch(?:File)?\b[^}]*\}\s*from\s*['"](?:node:)?fs(?:\/promises)?['"]/.test(source)
  )
    calls.push('fs.watch');
  return calls;
}

/** `.js` specifiers name the `.ts` sources they are compiled from. */
function sourceOf(importer: string, specifier: string): string {
  return resolve(dirname(importer), specifier).replace(/\.js$/, '.ts');
}

/**
 * Every way `file` (absolute) breaks the unit rule, each naming the module that holds the
 * forbidden import or call and, for a test-side module, the chain of imports reaching it.
 */
function violations(file: string, root: string, read: Read): string[] {
  const src = join(root, 'src') + '/';
  const found: string[] = [];
  const seen = new Set<string>();
  const visit = (path: string, via: string[]): void => {
    if (seen.has(path)) return;
    seen.add(path);
    const text = read(path);
    if (text === undefined) return;
    const body = code(text);
    const where = via.length ? ` (via ${via.join(' -> ')})` : '';
    for (const call of forbiddenCalls(body)) found.push(`${relative(root, path)} calls ${call}${where}`);
    for (const spec of specifiers(body)) {
      if (FORBIDDEN.has(spec)) found.push(`${relative(root, path)} imports ${spec}${where}`);
      if (!spec.startsWith('.')) continue;
      const target = sourceOf(path, spec);
      if (target.startsWith(src)) {
        const edge = specifiers(code(read(target) ?? '')).filter((s) => FORBIDDEN.has(s));
        if (edge.length)
          found.push(`${relative(root, path)} imports ${spec}, which imports ${edge.join(', ')} itself${where}`);
      } else {
        visit(target, [...via, relative(root, target)]);
      }
    }
  };
  visit(file, []);
  return found;
}

/** The .ts files under `dir`, at any depth. */
function unitSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return unitSources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

test('no unit test imports a network or process module, directly or through a helper', () => {
  const problems: string[] = [];
  for (const file of unitSources(join(repoRoot, 'test', 'unit'))) {
    const name = relative(repoRoot, file);
    if (name === SELF) continue;
    const found = violations(file, repoRoot, readDisk);
    const excuse = KNOWN_MISPLACED.get(name);
    if (excuse !== undefined && found.length === 0)
      problems.push(
        `${name} is listed as misplaced (${excuse}) but breaks no rule now: remove it from KNOWN_MISPLACED`,
      );
    if (excuse === undefined) problems.push(...found.map((v) => (v.startsWith(`${name} `) ? v : `${name}: ${v}`)));
  }
  for (const name of KNOWN_MISPLACED.keys()) {
    if (!existsSync(join(repoRoot, name)))
      problems.push(`${name} is listed as misplaced but is not in test/unit: remove it from KNOWN_MISPLACED`);
  }
  assert.deepEqual(
    problems,
    [],
    `unit tests must not reach outside the process; move these to test/integration or test/e2e:\n${problems.join('\n')}`,
  );
});

test('the rule catches a forbidden import, one reached through a helper, a src I/O edge and a fetch, not a type-only import', () => {
  const imp = (spec: string): string => `import { x } from '${spec}';\n`;
  const files: Record<string, string> = {
    '/r/test/unit/direct.test.ts': imp('node:child_process'),
    '/r/test/unit/helper.test.ts': imp('../helpers/a.js'),
    '/r/test/helpers/a.ts': imp('./b.js'),
    '/r/test/helpers/b.ts': imp('undici'),
    '/r/test/unit/edge.test.ts': imp('../../src/server.js') + imp('../../src/pure.js'),
    '/r/src/server.ts': imp('node:http'),
    '/r/src/pure.ts': imp('./server.js'),
    '/r/test/unit/fetch.test.ts': `await ${'fetch'}('http://127.0.0.1:1/');\n`,
    '/r/test/unit/fine.test.ts': `// ${'fetch'}() in a comment\n` + imp('node:fs') + imp('../helpers/c.js'),
    '/r/test/helpers/c.ts': imp('../../src/pure.js'),
    // Types load nothing at run time; a value import from the same module does.
    '/r/test/unit/types.test.ts': `import type { Server } from 'node:http';\nimport type {\n  Socket,\n} from 'node:net';\n`,
    '/r/test/unit/mixed.test.ts': `import type { Server } from 'node:http';\n` + imp('node:http'),
  };
  const check = (file: string) => violations(`/r/test/unit/${file}`, '/r', (path) => files[path]);
  assert.deepEqual(check('direct.test.ts'), ['test/unit/direct.test.ts imports node:child_process']);
  assert.deepEqual(check('helper.test.ts'), [
    'test/helpers/b.ts imports undici (via test/helpers/a.ts -> test/helpers/b.ts)',
  ]);
  assert.deepEqual(check('edge.test.ts'), [
    'test/unit/edge.test.ts imports ../../src/server.js, which imports node:http itself',
  ]);
  assert.deepEqual(check('fetch.test.ts'), ['test/unit/fetch.test.ts calls fetch()']);
  assert.deepEqual(check('fine.test.ts'), []);
  assert.deepEqual(check('types.test.ts'), []);
  assert.deepEqual(check('mixed.test.ts'), ['test/unit/mixed.test.ts imports node:http']);
});
