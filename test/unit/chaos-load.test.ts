import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { configError, loadConfig } from '../../src/config/load.js';
import { loadExperiment, loadExperiments } from '../../src/chaos/load.js';
import type { Experiment } from '../../src/chaos/model/experiment.js';
import type { ExecStep, HttpStep } from '../../src/chaos/model/steps.js';
import { formatProblem, isCanaryError } from '../../src/errors.js';
import { fixture, repoRoot } from '../helpers/paths.js';

// Messages name files relative to the working directory.
process.chdir(repoRoot);

const config = await loadConfig(fixture('chaos', 'agent.yaml'), { env: {} });
const valid = (name: string): string => fixture('chaos', 'valid', name);
const statuses = (low: number, high: number): number[] => Array.from({ length: high - low + 1 }, (_, i) => low + i);

const scratch = mkdtempSync(join(tmpdir(), 'canary-chaos-load-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Writes an experiment into a fresh directory of the scratch area, with the given pid files beside it. */
function experimentDir(name: string, yaml: string, pidFiles: string[] = []): string {
  const dir = join(scratch, name);
  for (const file of pidFiles) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), '4242\n');
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'experiment.yaml'), yaml);
  return join(dir, 'experiment.yaml');
}

test('a minimal experiment gets every default from the schema', async () => {
  const experiment = await loadExperiment(valid('minimal.yaml'), config, { env: {} });
  assert.deepEqual(experiment, {
    name: 'minimal',
    description: '',
    tags: [],
    file: valid('minimal.yaml'),
    targets: {},
    steadyState: [],
    abortWhen: [],
    blastRadius: { maxPercent: 10 },
    method: [
      {
        id: 'method[0]',
        action: 'http',
        selection: {},
        method: 'GET',
        url: 'http://127.0.0.1:9000/faults',
        headers: {},
        expectStatus: statuses(200, 299),
        timeoutMs: 30_000,
      },
    ],
    rollback: [],
    rollbackStrategy: 'always',
    maxDurationMs: 600_000,
    recoveryTimeoutMs: 60_000,
    requireApproval: false,
  } satisfies Experiment);
});

test('${VAR} is interpolated as in the agent config', async () => {
  const experiment = await loadExperiment(valid('minimal.yaml'), config, {
    env: { CHAOS_FAULTS_URL: 'https://faults.example:8443' },
  });
  assert.equal((experiment.method[0] as HttpStep).url, 'https://faults.example:8443/faults');
});

test('every key of a full experiment resolves: absolute paths, seconds, fractions, expanded statuses, ids', async () => {
  const e = await loadExperiment(valid('full.yaml'), config, { env: {} });
  const dir = fixture('chaos', 'valid');
  assert.deepEqual(
    e.targets.backends?.instances.map((i) => i.pidFile),
    [resolve(dir, '../var/b1.pid'), '/run/b2.pid', resolve(dir, 'b3.pid')],
  );
  assert.deepEqual(e.targets.backends?.instances[0], {
    name: 'b1',
    pidFile: resolve(dir, '../var/b1.pid'),
    url: 'http://127.0.0.1:18081',
    vars: { port: '18081' },
  });
  assert.deepEqual(e.steadyState, [
    {
      check: 'lab-frontend',
      windowMs: 30_000,
      minSamples: 5,
      successRatio: { op: '>=', value: 0.99, text: '>= 0.99' },
      p95: { op: '<', value: 0.3, text: '< 300ms' },
    },
    {
      check: 'lab-backend-1',
      windowMs: 30_000,
      minSamples: 3,
      successRatio: { op: '>=', value: 0.995, text: '>= 99.5%' },
      p99: { op: '<=', value: 1.5, text: '<= 1.5s' },
    },
  ]);
  assert.deepEqual(e.abortWhen, [
    {
      check: 'lab-frontend',
      windowMs: 10_000,
      minSamples: 3,
      successRatio: { op: '<', value: 0.9, text: '< 0.90' },
      p50: { op: '>', value: 2, text: '> 2s' },
    },
  ]);
  assert.deepEqual(e.blastRadius, { maxInstances: 1, maxPercent: 50 });
  assert.deepEqual(
    e.method.map((s) => s.id),
    ['method[0]', 'method[1]', 'method[2]', 'method[3]', 'method[4]'],
  );
  assert.deepEqual(e.method[0], {
    id: 'method[0]',
    action: 'process',
    target: 'backends',
    selection: { count: 1 },
    signal: 'SIGSTOP',
    kill: false,
  });
  assert.deepEqual(e.method[1], { id: 'method[1]', action: 'pause', durationMs: 20_000 });
  assert.deepEqual(e.method[4], { id: 'method[4]', action: 'pause', durationMs: 90_000 });
  const exec = e.method[2] as ExecStep;
  assert.deepEqual(exec.selection, { percent: 30 });
  assert.deepEqual(
    exec.revert,
    { argv: ['curl', '-fsS', '{url}/admin/undrain'], env: { MODE: 'drain' }, timeoutMs: 10_000 },
    'an exec revert inherits env and timeout',
  );
  const http = e.method[3] as HttpStep;
  assert.deepEqual(http.expectStatus, [201, ...statuses(300, 399), 404, 405]);
  assert.equal(http.timeoutMs, 5_000);
  assert.deepEqual(http.revert, {
    method: 'DELETE',
    url: 'http://127.0.0.1:9000/faults',
    headers: {},
    expectStatus: statuses(200, 299),
    timeoutMs: 30_000,
  });
  assert.deepEqual(
    e.rollback.map((s) => [s.id, s.action]),
    [
      ['rollback[0]', 'process'],
      ['rollback[1]', 'exec'],
    ],
  );
  assert.deepEqual(e.rollback[1], {
    id: 'rollback[1]',
    action: 'exec',
    selection: {},
    argv: ['true'],
    env: {},
    timeoutMs: 30_000,
  });
  assert.deepEqual(e.schedule, {
    cron: '0 */6 * * *',
    windows: [
      { days: [1, 2, 3, 4, 5], startMinute: 540, endMinute: 1050, timeZone: 'Europe/Berlin' },
      { days: [0, 6], startMinute: 600, endMinute: 1440, timeZone: 'UTC' },
    ],
    minGapMs: 3_600_000,
  });
  assert.deepEqual(
    [e.rollbackStrategy, e.maxDurationMs, e.recoveryTimeoutMs, e.requireApproval],
    ['on-failure', 300_000, 120_000, true],
  );
  assert.deepEqual(
    [e.name, e.description, e.tags, e.file],
    ['full-example', 'Stops one backend, drains another, injects a fault.', ['lab', 'redundancy'], valid('full.yaml')],
  );
});

const pidTarget = (glob: string, step: string): string =>
  [
    'name: pid-glob',
    'targets:',
    `  pool: { pidFiles: "${glob}" }`,
    'blastRadius: { maxInstances: 2 }',
    'method:',
    `  - ${step}`,
  ].join('\n');

test('a pidFiles glob becomes one instance per matching file, named by the file, paths absolute', async () => {
  const file = experimentDir(
    'glob',
    pidTarget('run/*.pid', '{ action: process, target: pool, signal: SIGSTOP, count: 2 }'),
    ['run/web-2.pid', 'run/web-1.pid', 'run/notes.txt', 'elsewhere/web-3.pid'],
  );
  const experiment = await loadExperiment(file, config, { env: {} });
  assert.deepEqual(experiment.targets.pool, {
    name: 'pool',
    instances: [
      { name: 'web-1', pidFile: join(scratch, 'glob', 'run', 'web-1.pid'), vars: {} },
      { name: 'web-2', pidFile: join(scratch, 'glob', 'run', 'web-2.pid'), vars: {} },
    ],
  });
});

test('a pidFiles glob that matches nothing gives an empty target, not a load problem', async () => {
  const file = experimentDir(
    'empty-glob',
    pidTarget('run/*.pid', '{ action: process, target: pool, signal: SIGSTOP, count: 2 }'),
  );
  const experiment = await loadExperiment(file, config, { env: {} });
  assert.deepEqual(experiment.targets.pool, { name: 'pool', instances: [] });
});

test('instances found by a glob are counted: a count over them, or over the blast radius, is refused', async () => {
  const file = experimentDir(
    'small-glob',
    pidTarget('*.pid', '{ action: process, target: pool, signal: SIGSTOP, count: 3 }'),
    ['a.pid', 'b.pid'],
  );
  const err = await loadExperiment(file, config, { env: {} }).catch((e: unknown) => e);
  assert.ok(isCanaryError(err, 'CANARY_ERR_CONFIG'));
  assert.deepEqual(
    err.problems.map((p) => `${p.line}:${p.col}: ${p.path}: ${p.message}`),
    [
      '6:55: method[0].count: selects 3 instances, but target "pool" has 2',
      '6:55: method[0].count: selects 3 instances, over blastRadius.maxInstances (2)',
    ],
  );
});

test('loadExperiments loads every file of chaos.files and reports every problem of every file at once', async () => {
  const agent = await loadConfig(fixture('chaos', 'duplicates', 'agent.yaml'), { env: {} });
  const { experiments, problems } = await loadExperiments(agent, { env: {} });
  assert.deepEqual(
    experiments.map((e) => e.name),
    ['same-name', 'unique'],
  );
  // What `canary validate` shows: the problems as one config error, files relative to the working directory.
  assert.deepEqual(configError(problems).problems.map(formatProblem), [
    'test/fixtures/chaos/duplicates/agent.yaml:9:7: chaos.files[2]: pattern "nowhere/*.yaml" matched no files',
    'test/fixtures/chaos/duplicates/more/again.yaml:1:7: name: duplicate experiment name "same-name", first defined at test/fixtures/chaos/duplicates/first.yaml:1:7',
    'test/fixtures/chaos/duplicates/more/broken.yaml:3:7: steadyState[0].check: check "no-such-check" is not a check of the agent config test/fixtures/chaos/duplicates/agent.yaml',
  ]);
});

test('an experiment file of chaos.files that cannot be read is reported where chaos.files names it', async () => {
  const dir = join(scratch, 'unreadable');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'agent.yaml'), 'chaos:\n  files:\n    - gone.yaml\n');
  const agent = await loadConfig(join(dir, 'agent.yaml'), { env: {} });
  const { problems } = await loadExperiments(agent, { env: {} });
  assert.deepEqual(
    problems.map((p) => ({ ...p, file: p.file === join(dir, 'agent.yaml') })),
    [{ file: true, line: 3, col: 7, path: 'chaos.files[0]', message: 'cannot read gone.yaml: ENOENT' }],
  );
});

test('no chaos.files: no experiments and no problems', async () => {
  assert.deepEqual(await loadExperiments(config, { env: {} }), { experiments: [], problems: [] });
});

test('every shipped example in chaos/ loads without problems against the demo checks', async () => {
  const agent = await loadConfig(fixture('chaos', 'examples-agent.yaml'), { env: {} });
  const { experiments, problems } = await loadExperiments(agent, { env: {} });
  assert.deepEqual(problems.map(formatProblem), []);
  const shipped = readdirSync(resolve(repoRoot, 'chaos')).filter((f) => f.endsWith('.yaml'));
  assert.deepEqual(experiments.map((e) => e.file).sort(), shipped.map((f) => resolve(repoRoot, 'chaos', f)).sort());
  const byName = new Map(experiments.map((e) => [e.name, e]));
  const stop = byName.get('stop-one-backend');
  assert.deepEqual(stop?.method[0], {
    id: 'method[0]',
    action: 'process',
    target: 'backends',
    selection: { count: 1 },
    signal: 'SIGSTOP',
    kill: false,
  });
  assert.deepEqual(
    stop?.rollback.map((s) => s.action === 'process' && s.signal),
    ['SIGCONT'],
  );
  // The failback pair differs only in the strategy of the failback step.
  const waves = ['staggered-failback', 'failback-all-at-once'].map((name) => byName.get(name)?.method[2]);
  assert.deepEqual(
    waves.map((s) => s?.action === 'failback' && s.strategy),
    ['staggered', 'all-at-once'],
  );
  assert.deepEqual(byName.get('staggered-failback')?.targets.backends?.driver?.kind, 'http');
  const proxy = byName.get('latency-injection')?.method[0];
  // The toxic expires by itself when the run's time is up: maxDuration 2m + recoveryTimeout 1m.
  assert.equal(proxy?.action === 'proxy' && proxy.ttlMs, 180_000);
});

test("the examples' agent config carries the demo's checks", async () => {
  const demo = await loadConfig(resolve(repoRoot, 'config', 'demo.yaml'), { env: {} });
  const copy = await loadConfig(fixture('chaos', 'examples-agent.yaml'), { env: {} });
  const strip = (checks: typeof demo.checks) => checks.map(({ source: _source, ...check }) => check);
  assert.deepEqual(strip(copy.checks), strip(demo.checks));
});
