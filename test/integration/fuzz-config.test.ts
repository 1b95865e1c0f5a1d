/**
 * Fuzzing the config loaders: generated agent configs, probe files, `modules:` and chaos
 * experiments, valid and mutated. A valid one loads; a mutated one loads or fails with a
 * config error whose every problem has a file, a line, a column and a message; nothing
 * else is ever thrown. A sample goes through `canary validate` too: exit 0 or 2, no stack.
 *
 * Runs are seeded: fast-check prints the seed and path of a failure, and
 * `FUZZ_SEED=<seed>` replays that run (see docs/development.md).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { loadExperiment } from '../../src/chaos/load.js';
import { loadConfig } from '../../src/config/load.js';
import { formatProblem, isCanaryError } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';
import { STEADY_CHECKS, agentConfig, experiment, modulesFile, probeFile } from '../helpers/fuzz-configs.js';
import { fileBytes, garbage, mutate, mutations } from '../helpers/fuzz-yaml.js';
import { repoRoot } from '../helpers/paths.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261207);
/** Cases per kind: the valid ones as generated, and mutated ones. */
const VALID_RUNS = 250;
const MUTATED_RUNS = 1000;
/** Bounds a property's whole run and one case, so a hang ends the test rather than the suite. */
const LIMITS = { interruptAfterTimeLimit: 180_000, timeout: 20_000, includeErrorInReport: true };
const ENV = { FUZZ_SET: 'set' };

const scratch = mkdtempSync(join(tmpdir(), 'canary-fuzz-config-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let cases = 0;

/** A fresh directory holding `files` (name to content). */
function caseDir(files: Record<string, string | Buffer>): string {
  const dir = join(scratch, String(cases++));
  mkdirSync(dir);
  for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content);
  return dir;
}

/** Loads, and on failure checks that it is a config error placing every problem. */
async function loadsOrReports(load: () => Promise<unknown>): Promise<void> {
  try {
    await load();
  } catch (err) {
    if (!isCanaryError(err, 'CANARY_ERR_CONFIG'))
      assert.fail(`not a config error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    assert.ok(err.problems.length > 0, 'a config error without problems');
    for (const p of err.problems) {
      assert.ok(p.file !== '' && p.line >= 1 && p.col >= 1, `problem without a place: ${formatProblem(p)}`);
      assert.ok(p.message.trim() !== '', `problem without a message: ${formatProblem(p)}`);
    }
  }
}

/** A shipped or fixture file, as a seed for mutation beside the generated ones. */
function seedText(...parts: string[]): string {
  return readFileSync(join(repoRoot, ...parts), 'utf8');
}

/** The agent config experiments are checked against: the checks they name, and `chaos.files` for `canary validate`. */
const CHAOS_AGENT = [
  'checks:',
  ...STEADY_CHECKS.map((name, i) => `  - { name: ${name}, kind: http, target: "http://127.0.0.1:1818${i}/" }`),
  'chaos: { files: [experiment.yaml] }',
  '',
].join('\n');
const chaosConfig = await loadConfig(join(caseDir({ 'agent.yaml': CHAOS_AGENT }), 'agent.yaml'), { env: {} });

/** One kind of file: how to generate it, and how to load it from a case directory. */
interface Kind {
  name: string;
  valid: fc.Arbitrary<string>;
  seeds: string[];
  /** The directory's files around the fuzzed `text`. */
  files(text: string | Buffer): Record<string, string | Buffer>;
  load(dir: string): Promise<unknown>;
}

const QUIET = 'exporters: { log: { level: silent } }\n';

const KINDS: Kind[] = [
  {
    name: 'agent config',
    valid: agentConfig,
    seeds: [seedText('config', 'demo.yaml'), seedText('test', 'fixtures', 'chaos', 'examples-agent.yaml')],
    files: (text) => ({ 'agent.yaml': text, 'probes.yaml': 'checks: []\n' }),
    load: (dir) => loadConfig(join(dir, 'agent.yaml'), { env: ENV }),
  },
  {
    name: 'probe file',
    valid: probeFile,
    seeds: [seedText('probes', 'examples.yaml'), seedText('test', 'fixtures', 'config', 'valid', 'probes', 'tls.yaml')],
    files: (text) => ({ 'agent.yaml': `probes: { files: [probes.yaml] }\n${QUIET}`, 'probes.yaml': text }),
    load: (dir) => loadConfig(join(dir, 'agent.yaml'), { env: ENV }),
  },
  {
    name: 'modules',
    valid: modulesFile,
    seeds: [seedText('config', 'agent.yaml').replace('    - ../probes/*.yaml', '    []')],
    files: (text) => ({ 'agent.yaml': text }),
    load: (dir) => loadConfig(join(dir, 'agent.yaml'), { env: ENV }),
  },
  {
    name: 'chaos experiment',
    valid: experiment,
    seeds: ['failback-all-at-once', 'kill-one-backend', 'latency-injection', 'staggered-failback']
      .map((n) => seedText('chaos', `${n}.yaml`))
      .concat(seedText('test', 'fixtures', 'chaos', 'valid', 'full.yaml')),
    files: (text) => ({ 'agent.yaml': CHAOS_AGENT, 'experiment.yaml': text }),
    load: (dir) => loadExperiment(join(dir, 'experiment.yaml'), chaosConfig, { env: ENV }),
  },
];

describe('config fuzzing', () => {
  for (const kind of KINDS) {
    test(`${kind.name}: ${VALID_RUNS} generated valid files load`, async () => {
      await fc.assert(
        fc.asyncProperty(kind.valid, async (text) => {
          await kind.load(caseDir(kind.files(text)));
        }),
        { seed: SEED, numRuns: VALID_RUNS, ...LIMITS },
      );
    });

    test(`${kind.name}: ${MUTATED_RUNS} mutated files load or report every problem at FILE:LINE:COL`, async () => {
      const source = fc.oneof(
        { arbitrary: kind.valid, weight: 3 },
        { arbitrary: fc.constantFrom(...kind.seeds), weight: 1 },
      );
      await fc.assert(
        fc.asyncProperty(source, mutations, garbage, async (text, list, extra) => {
          await loadsOrReports(() => kind.load(caseDir(kind.files(fileBytes(mutate(text, list), extra)))));
        }),
        { seed: SEED, numRuns: MUTATED_RUNS, ...LIMITS },
      );
    });
  }
});

/**
 * Every line of the CLI's report after the first names a place (`FILE:LINE:COL: ...`), or
 * shows the line of a syntax error under it (`  3 |    key: value`, then a caret).
 */
const PLACED = /^\S.*?:\d+:\d+: \S|^ {2}(?:\d+| +) \| /;

test('canary validate on 30 mutated files: exit 0 or 2, every problem placed, never a stack trace', async () => {
  const kindAt = fc.integer({ min: 0, max: KINDS.length - 1 });
  await fc.assert(
    fc.asyncProperty(
      kindAt.chain((i) => fc.tuple(fc.constant(i), KINDS[i]!.valid, mutations)),
      async ([i, text, list]) => {
        const kind = KINDS[i]!;
        const dir = caseDir(kind.files(mutate(text, list)));
        const run = await runCli(['validate', '--config', join(dir, 'agent.yaml')], { env: ENV });
        assert.ok(run.code === 0 || run.code === 2, `exit ${run.code}\n${run.stderr}`);
        assert.doesNotMatch(run.stderr, /^\s+at /m, 'a stack trace');
        assert.doesNotMatch(run.stderr, /\(node:\d+\) /, 'a warning of node');
        if (run.code === 2) {
          const [head, ...problems] = run.stderr.trimEnd().split('\n');
          assert.match(head ?? '', /^canary: invalid configuration \(\d+ problems?\):$/);
          for (const line of problems) assert.match(line, PLACED);
        }
      },
    ),
    { seed: SEED, numRuns: 30, ...LIMITS },
  );
});
