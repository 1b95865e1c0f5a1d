/**
 * Every experiment shipped in chaos/, run as the docs run it: `canary lab` started as
 * written (no flags), then `canary chaos run chaos/FILE.yaml --dry-run` and `canary chaos
 * run chaos/FILE.yaml`, with no variable and no --config: each file names
 * config/demo.yaml, whose checks probe the lab's fault proxy and backends on their fixed
 * ports. It all runs in a copy of config/, chaos/ and probes/, so pid files and chaos state
 * land in the copy's var/, never the repository's. The fleet experiment's PromQL needs the
 * fleet's Prometheus: its real run gets one (scraping `canary run --config
 * config/demo.yaml`) through --prometheus, as its header says.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CliProcess, runCli } from '../helpers/cli.js';
import { holdLabPorts } from '../helpers/fixed-ports.js';
import { copyOfRepo } from '../helpers/paths.js';
import { prometheusBinary, startPrometheus } from '../helpers/prometheus.js';
import { eventually } from '../helpers/wait.js';

/** The longest one experiment may take: its maxDuration (4m at most) is far above what each needs. */
const RUN_MS = 240_000;
const FLEET = 'fleet-kill-one-backend.yaml';

const work = copyOfRepo('canary-chaos-examples-');
const files = readdirSync(join(work, 'chaos'))
  .filter((f) => f.endsWith('.yaml'))
  .sort();
let lab: CliProcess | undefined;
let release: (() => void) | undefined;

before(async () => {
  release = await holdLabPorts();
  lab = new CliProcess(['lab'], {}, work);
  await eventually(
    () => {
      if (lab?.child.exitCode !== null) throw new Error(`canary lab exited: ${lab?.stderr}`);
      return lab.lines.some((l) => l.startsWith('SIGINT/SIGTERM stops')) ? true : undefined;
    },
    30_000,
    'canary lab to print its banner',
  );
});

after(async () => {
  await lab?.kill();
  release?.();
  rmSync(work, { recursive: true, force: true });
});

/** `canary chaos run ARGS` from the copy, as a user types it. */
const chaosRun = (args: readonly string[], timeoutMs = RUN_MS) =>
  runCli(['chaos', 'run', ...args], { cwd: work, timeoutMs });

test('every shipped experiment dry-runs against canary lab with exit 0, reading the config it names', async () => {
  assert.ok(files.length >= 6, `the shipped experiments: ${files.join(', ')}`);
  for (const file of files) {
    const run = await chaosRun([`chaos/${file}`, '--dry-run'], 30_000);
    assert.equal(run.code, 0, `${file}:\n${run.stdout}\n${run.stderr}`);
    assert.match(
      run.stderr,
      new RegExp(`^canary: config: config/demo\\.yaml \\(named by chaos/${file.replace('.', '\\.')}; --config`, 'm'),
    );
    assert.doesNotMatch(run.stdout, /CANNOT PLAN/, file);
  }
  // The pid files are the copy's: the repository's var/ is not touched.
  const stop = await chaosRun(['chaos/stop-one-backend.yaml', '--dry-run'], 30_000);
  assert.match(stop.stdout, new RegExp(`kill -STOP \\d+ \\(${join(work, 'var', 'lab', 'pids')}/backend-\\d\\.pid\\)`));
});

for (const file of files.filter((f) => f !== FLEET)) {
  test(
    `canary chaos run chaos/${file} completes against canary lab with exit 0`,
    { timeout: RUN_MS + 10_000 },
    async () => {
      const run = await chaosRun([`chaos/${file}`]);
      assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
      assert.match(run.stdout, /^[a-z0-9-]+: COMPLETED/m);
      assert.match(run.stdout, new RegExp(`^journal: ${join(work, 'var', 'chaos', 'journal')}/`, 'm'));
    },
  );
}

test(
  `canary chaos run chaos/${FLEET} --prometheus URL completes against canary lab, judged by a real Prometheus`,
  {
    skip: prometheusBinary() ? false : 'prometheus is not installed (Debian package prometheus)',
    timeout: RUN_MS + 60_000,
  },
  async () => {
    // An agent on the demo's config (its listen: 127.0.0.1:9464), scraped: the fleet's view, of one region.
    const agent = new CliProcess(['run', '--config', 'config/demo.yaml'], {}, work);
    const prom = await startPrometheus(['127.0.0.1:9464']);
    try {
      await eventually(
        async () => ((await prom.query('probe_success{check="lab-frontend"} == 1')).length > 0 ? true : undefined),
        40_000,
        'lab-frontend up in Prometheus',
      );
      const run = await chaosRun([`chaos/${FLEET}`, '--prometheus', prom.url]);
      assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
      assert.match(run.stdout, /^fleet-kill-one-backend: COMPLETED/m);
    } finally {
      await prom.stop();
      agent.child.kill('SIGINT');
      assert.equal((await agent.exited).code, 0, agent.stderr);
    }
  },
);

test('canary lab stops on SIGINT with exit 0', async () => {
  lab?.child.kill('SIGINT');
  const { code } = (await lab?.exited) ?? { code: null };
  assert.equal(code, 0, lab?.stderr);
});
