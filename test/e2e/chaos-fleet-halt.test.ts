/**
 * One halt for the fleet: `canary chaos halt --fleet` posts CanaryChaosHalt to a real
 * Alertmanager; three runners mid-run (each its own host's state) roll back and say why;
 * new runs are refused until `resume --fleet`; `--match` narrows the halt.
 */
import { test } from 'node:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import {
  activeAlertsOf,
  alertmanagerBinary,
  NO_ALERTMANAGER,
  startAlertmanager,
  startWebhook,
} from '../helpers/alertmanager.js';
import { testAlertmanagerConfig } from '../helpers/alertmanager-config.js';
import { isStopped, startChaosLab, victimTargets, type ChaosLab } from '../helpers/chaos.js';
import { CliProcess, runCli } from '../helpers/cli.js';
import { waitUntil } from '../helpers/wait.js';

/** A lab with a config and an experiment that stops its victim, then waits 60 s. */
function longRun(lab: ChaosLab, name: string): { config: string; file: string } {
  const config = lab.writeConfig([]);
  const file = lab.writeExperiment(
    name,
    [
      `name: ${name}`,
      victimTargets(lab.victims),
      'blastRadius: { maxInstances: 1 }',
      'method:',
      '  - { action: process, target: v1, signal: SIGSTOP }',
      '  - { pause: 60s }',
    ].join('\n'),
  );
  return { config, file };
}

test('halt --fleet stops three runs mid-run, each rolls back and its journal says why', async (t) => {
  if (!alertmanagerBinary()) return t.skip(NO_ALERTMANAGER);
  const webhook = await startWebhook();
  const am = await startAlertmanager(testAlertmanagerConfig(`${webhook.origin}/chaos`));
  const labs = [await startChaosLab(1), await startChaosLab(1), await startChaosLab(1)];
  const runners: CliProcess[] = [];
  try {
    for (const [i, lab] of labs.entries()) {
      const { config, file } = longRun(lab, `fleet-${i}`);
      runners.push(new CliProcess(['chaos', 'run', file, '--config', config, '--alertmanager', am.url]));
    }
    await waitUntil(() => labs.every((l) => isStopped(l.victims[0]!)), 30_000, 'every run to apply its fault');
    const haltStarted = Date.now();
    const halt = await runCli([
      'chaos',
      'halt',
      '--fleet',
      '--alertmanager',
      am.url,
      '--reason',
      'drill',
      '--operator',
      'oncall',
    ]);
    assert.equal(halt.code, 0, halt.stderr);
    const exits = await Promise.all(runners.map((r) => r.exited));
    // How long from the command to each fault's revert: reported, not asserted (the host's
    // load decides it; the runners poll once a second).
    const delays = labs.map((l) => (Date.parse(l.journals()[0]?.faults[0]?.revertedAt ?? '') - haltStarted) / 1000);
    t.diagnostic(`faults reverted ${delays.map((d) => `${d.toFixed(2)} s`).join(', ')} after the halt command started`);
    for (const [i, lab] of labs.entries()) {
      assert.equal(exits[i]?.code, 1);
      const [journal] = lab.journals();
      assert.equal(journal?.status, 'aborted');
      assert.equal(journal?.reason, 'halted fleet-wide by oncall: drill');
      assert.equal(journal?.faults[0]?.status, 'reverted');
      assert.equal(isStopped(lab.victims[0]!), false);
    }
    // Halted: a new run is refused and touches nothing.
    const { config, file } = longRun(labs[0]!, 'fleet-0');
    const refused = await runCli(['chaos', 'run', file, '--config', config, '--alertmanager', am.url]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /chaos is halted fleet-wide by oncall: drill; `canary chaos resume --fleet` first/);
    assert.equal(labs[0]!.journals().length, 1);
    const resume = await runCli(['chaos', 'resume', '--fleet', '--alertmanager', am.url]);
    assert.equal(resume.code, 0, resume.stderr);
    assert.match(resume.stdout, /1 halt alert\(s\) resolved/);
  } finally {
    for (const r of runners) if (r.child.exitCode === null) r.child.kill('SIGKILL');
    for (const lab of labs) await lab.cleanup();
    await am.stop();
    await webhook.close();
  }
});

test('halt --fleet --match experiment=X stops that experiment only', async (t) => {
  if (!alertmanagerBinary()) return t.skip(NO_ALERTMANAGER);
  const webhook = await startWebhook();
  const am = await startAlertmanager(testAlertmanagerConfig(`${webhook.origin}/chaos`));
  const labs = [await startChaosLab(1), await startChaosLab(1)];
  const runners: CliProcess[] = [];
  try {
    for (const [i, lab] of labs.entries()) {
      const { config, file } = longRun(lab, `scoped-${i}`);
      runners.push(new CliProcess(['chaos', 'run', file, '--config', config, '--alertmanager', am.url]));
    }
    await waitUntil(() => labs.every((l) => isStopped(l.victims[0]!)), 30_000, 'every run to apply its fault');
    const args = ['--fleet', '--alertmanager', am.url, '--match', 'experiment=scoped-0', '--operator', 'oncall'];
    assert.equal((await runCli(['chaos', 'halt', ...args])).code, 0);
    await runners[0]!.exited;
    assert.equal(labs[0]!.journals()[0]?.reason, 'halted fleet-wide by oncall (experiment=scoped-0)');
    // The other one is still running: its fault is still applied.
    assert.equal(runners[1]!.child.exitCode, null);
    assert.equal(isStopped(labs[1]!.victims[0]!), true);
    const bad = await runCli(['chaos', 'halt', '--fleet', '--alertmanager', am.url, '--match', 'operator=x']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--match: "operator=x" must be KEY=VALUE with KEY one of experiment, region, target/);
  } finally {
    for (const r of runners) if (r.child.exitCode === null) r.child.kill('SIGTERM');
    await Promise.all(runners.map((r) => r.exited));
    for (const lab of labs) await lab.cleanup();
    await am.stop();
    await webhook.close();
  }
});

test('halt --fleet with an Alertmanager that cannot be reached says so, exit 1, no stack', async () => {
  const run = await runCli(['chaos', 'halt', '--fleet', '--alertmanager', 'http://127.0.0.1:1']);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^canary: Alertmanager at http:\/\/127\.0\.0\.1:1 is unreachable: /);
  assert.doesNotMatch(run.stderr, /at .*\.js:\d+/);
});

test("the agent's scheduler shows its run in Alertmanager, stops it on a fleet halt and skips while halted", async (t) => {
  if (!alertmanagerBinary()) return t.skip(NO_ALERTMANAGER);
  const webhook = await startWebhook();
  const am = await startAlertmanager(testAlertmanagerConfig(`${webhook.origin}/chaos`));
  const lab = await startChaosLab(1);
  try {
    const { config } = longRun(lab, 'scheduled');
    lab.writeExperiment(
      'scheduled',
      `${readFileSync(join(lab.dir, 'scheduled.chaos.yaml'), 'utf8')}\nschedule: { cron: "* * * * * *", minGap: 1s }\n`,
    );
    const text = readFileSync(config, 'utf8').replace(
      'stateDir: state }',
      `stateDir: state, alertmanager: "${am.url}" }`,
    );
    writeFileSync(config, text);
    const agent = new CliProcess(['run', '--config', config, '--enable-chaos']);
    try {
      await waitUntil(() => isStopped(lab.victims[0]!), 30_000, 'the scheduled run to apply its fault');
      const [active] = await activeAlertsOf(am.url, 'CanaryChaosExperimentActive');
      assert.equal(active?.labels.region, 'chaos-test');
      assert.equal(active?.labels.operator, 'canary-scheduler');
      const halt = await runCli(['chaos', 'halt', '--fleet', '--alertmanager', am.url, '--operator', 'oncall']);
      assert.equal(halt.code, 0, halt.stderr);
      await waitUntil(() => lab.journals()[0]?.status === 'aborted', 20_000, 'the run to end');
      assert.equal(lab.journals()[0]?.reason, 'halted fleet-wide by oncall');
      assert.equal(isStopped(lab.victims[0]!), false);
      await agent.waitForLog(
        (l) =>
          l.msg === 'scheduled chaos run skipped' && String(l.why).startsWith('chaos is halted fleet-wide by oncall'),
      );
      assert.equal(lab.journals().length, 1);
    } finally {
      agent.child.kill('SIGTERM');
      await agent.exited;
    }
  } finally {
    await lab.cleanup();
    await am.stop();
    await webhook.close();
  }
});
