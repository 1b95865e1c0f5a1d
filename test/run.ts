/**
 * Runs every compiled `*.test.js` under dist/test with node's test runner (the benchmark
 * harness's own tests included). Files are listed explicitly because node's own directory
 * search also treats every file below a `test/` folder as a test, which would start the
 * benchmark itself.
 *
 * Usage: node dist/test/run.js [--tier TIER] [substring ...]
 *   --tier unit|integration|e2e|bench   only that tier's folder (test/TIER/)
 *   substring                           only files whose path contains one of them
 *
 * Unit tests run together in one process (./in-process.ts): they touch nothing outside it,
 * and a node start plus a fresh import of src/ per file was most of their time. The other
 * tiers start servers, processes and agents, so each of their files gets its own process.
 *
 * A compiled test whose source is gone (moved to another tier, or deleted) is left out: tsc
 * never removes old output, and a stale copy would run in the tier the test has left.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const sources = resolve(here, '..', '..', 'test');
const TIERS = ['unit', 'integration', 'e2e', 'bench'];

function collect(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return collect(path);
    return entry.name.endsWith('.test.js') ? [path] : [];
  });
}

/** `--tier X` / `--tier=X` and the substrings, from the command line. */
function parseArgs(args: string[]): { tier: string | undefined; filters: string[] } {
  let tier: string | undefined;
  const filters: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--tier') tier = args[++i] ?? '';
    else if (arg.startsWith('--tier=')) tier = arg.slice('--tier='.length);
    else filters.push(arg);
  }
  if (tier !== undefined && !TIERS.includes(tier)) {
    console.error(`--tier must be one of ${TIERS.join(', ')}, not "${tier}"`);
    process.exit(2);
  }
  return { tier, filters };
}

const { tier, filters } = parseArgs(process.argv.slice(2));
const stale: string[] = [];
const files = collect(tier === undefined ? here : join(here, tier))
  .filter((f) => filters.length === 0 || filters.some((s) => relative(here, f).includes(s)))
  .filter((f) => {
    const source = join(sources, relative(here, f)).replace(/\.js$/, '.ts');
    if (existsSync(source)) return true;
    stale.push(relative(here, f));
    return false;
  })
  .sort();
if (stale.length > 0)
  console.error(`skipped compiled tests without a source (stale build output): ${stale.join(', ')}`);
if (files.length === 0) {
  console.error(`no test files matched${tier === undefined ? '' : ` in ${tier}${sep}`} ${filters.join(' ')}`);
  process.exit(1);
}

/** Runs node with `args`; resolves with its exit code (1 when a signal ended it). */
function node(args: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const unitDir = join(here, 'unit') + sep;
const together = files.filter((f) => f.startsWith(unitDir));
const apart = files.filter((f) => !f.startsWith(unitDir));
let failed = false;
if (together.length > 0)
  failed = (await node(['--test-reporter=spec', join(here, 'in-process.js'), ...together])) !== 0;
if (apart.length > 0) failed = (await node(['--test', '--test-reporter=spec', ...apart])) !== 0 || failed;
process.exit(failed ? 1 : 0);
