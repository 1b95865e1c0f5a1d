/**
 * requireErrorBudget from the command line with a real Prometheus: `canary chaos run
 * --prometheus` asks it for the remaining budget of the check's SLO, refuses untouched
 * (exit 2) when it is spent or cannot be known, runs when enough is left; `canary chaos
 * list --prometheus` shows the figure.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { budgetChecks, gatedExperiment, startBudgetFleet, type BudgetFleet } from '../helpers/budget-fleet.js';
import { startChaosLab, type ChaosLab } from '../helpers/chaos.js';
import { runCli } from '../helpers/cli.js';
import { prometheusBinary } from '../helpers/prometheus.js';
import { startHttpServer } from '../helpers/servers.js';

const skip = prometheusBinary() ? false : 'prometheus is not installed (Debian package prometheus)';

let fleet: BudgetFleet | undefined;
let lab: ChaosLab | undefined;
let config = '';

before(async () => {
  if (skip) return;
  // The probing agent only feeds Prometheus; the CLI runs are separate processes.
  fleet = await startBudgetFleet(() => '{ enabled: false }');
  lab = await startChaosLab(0);
  config = lab.writeConfig(budgetChecks(fleet.service.origin));
  lab.writeExperiment('on-low', gatedExperiment('on-low', 'low', fleet.fault));
  lab.writeExperiment('on-high', gatedExperiment('on-high', 'high', fleet.fault));
});

after(async () => {
  await lab?.cleanup();
  await fleet?.close();
});

const file = (name: string) => `${(lab as ChaosLab).dir}/${name}.chaos.yaml`;

test('a spent budget in Prometheus refuses the run untouched; a whole one lets it run', { skip }, async () => {
  const { prometheus, faults } = fleet as BudgetFleet;
  const low = await runCli(['chaos', 'run', file('on-low'), '--config', config, '--prometheus', prometheus.url]);
  assert.equal(low.code, 2, low.stderr);
  assert.match(
    low.stderr,
    /error budget of "low" too low: 0% left \(Prometheus\), requireErrorBudget.min is 25%; experiment "on-low" not run \(nothing was touched\)/,
  );
  assert.equal(faults('/fault-low'), 0, 'nothing was touched');
  assert.deepEqual((lab as ChaosLab).journals(), []);

  const high = await runCli(['chaos', 'run', file('on-high'), '--config', config, '--prometheus', prometheus.url]);
  assert.equal(high.code, 0, high.stderr);
  assert.match(high.stderr, /error budget of "high": \d+(\.\d)?% left \(Prometheus\), requireErrorBudget.min is 25%/);
  assert.equal(faults('/fault-high'), 2, 'the fault was injected and reverted');
  assert.deepEqual(
    (lab as ChaosLab).journals().map((j) => [j.experiment, j.status]),
    [['on-high', 'completed']],
  );
});

test('a Prometheus that cannot answer refuses the run: the budget is unknown', { skip }, async () => {
  const gone = await startHttpServer((_req, res) => res.writeHead(503).end());
  await gone.close();
  const before = (fleet as BudgetFleet).faults('/fault-high');
  const run = await runCli(['chaos', 'run', file('on-high'), '--config', config, '--prometheus', gone.origin]);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /error budget of "high" is unknown \(Prometheus\): prometheus: .*nothing was touched/);
  assert.equal((fleet as BudgetFleet).faults('/fault-high'), before, 'nothing was touched');
  const dry = await runCli([
    'chaos',
    'run',
    file('on-high'),
    '--config',
    config,
    '--prometheus',
    gone.origin,
    '--dry-run',
  ]);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /note: requireErrorBudget: a real run first asks Prometheus for the remaining budget/);
});

test('chaos list shows the remaining budget Prometheus reports next to each gate', { skip }, async () => {
  const url = (fleet as BudgetFleet).prometheus.url;
  const list = await runCli(['chaos', 'list', '--config', config, '--prometheus', url]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /on-low .* needs 25% of "low" error budget \(0% left, prometheus\)/);
  assert.match(list.stdout, /on-high .* needs 25% of "high" error budget \(\d+(\.\d)?% left, prometheus\)/);
  const json = await runCli(['chaos', 'list', '--config', config, '--prometheus', url, '--json']);
  const parsed = JSON.parse(json.stdout) as { experiments: { name: string; errorBudget: { remaining: number } }[] };
  const budget = (name: string) => parsed.experiments.find((e) => e.name === name)?.errorBudget;
  assert.deepEqual(budget('on-low'), { remaining: 0, source: 'prometheus' });
  assert.ok((budget('on-high')?.remaining ?? 0) >= 0.25, JSON.stringify(budget('on-high')));
});
