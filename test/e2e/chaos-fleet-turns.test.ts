/**
 * Regions take turns without a coordinator: one experiment with `schedule.fleet`, shipped to
 * three agents, runs in the listed regions one after the other (each `gap` after the tick)
 * and never in a region the list leaves out. Before starting, a runner also refuses while
 * Alertmanager shows the same experiment running in another region.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Journal } from '../../src/chaos/model/journal.js';
import { postAlerts } from '../../src/chaos/fleet/alertmanager.js';
import { alertmanagerBinary, NO_ALERTMANAGER, startAlertmanager } from '../helpers/alertmanager.js';
import { testAlertmanagerConfig } from '../helpers/alertmanager-config.js';
import { CliProcess, runCli } from '../helpers/cli.js';
import { waitUntil } from '../helpers/wait.js';

const root = mkdtempSync(join(tmpdir(), 'canary-turns-'));
after(() => rmSync(root, { recursive: true, force: true }));

const GAP_MS = 2_000;
const EXPERIMENT = [
  'name: take-turns',
  'blastRadius: { maxInstances: 1 }',
  'method:',
  '  - { pause: 300ms }',
  'maxDuration: 1s',
  'recoveryTimeout: 500ms',
  'schedule:',
  '  cron: "*/5 * * * * *"',
  '  fleet: { regions: [eu-west-1, us-east-1], gap: 2s }',
].join('\n');

/** One agent's directory: its config (region, optional Alertmanager), the experiment, its ended runs. */
function regionDir(region: string, alertmanager?: string): { config: string; journals: () => Journal[] } {
  const dir = join(root, `${region}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir);
  const am = alertmanager ? `, alertmanager: "${alertmanager}"` : '';
  writeFileSync(
    join(dir, 'agent.yaml'),
    [
      `agent: { region: ${region} }`,
      'server: { listen: 127.0.0.1:0 }',
      `chaos: { enabled: true, files: ["*.chaos.yaml"], stateDir: state${am} }`,
      'exporters: { log: { level: info } }',
      'checks: []',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'turns.chaos.yaml'), EXPERIMENT);
  const jdir = join(dir, 'state', 'journal');
  const journals = () =>
    existsSync(jdir)
      ? readdirSync(jdir)
          .filter((f) => f.endsWith('.json'))
          .map((f) => JSON.parse(readFileSync(join(jdir, f), 'utf8')) as Journal)
          .filter((j) => j.endedAt !== undefined)
          .sort((a, b) => a.startedAt.localeCompare(b.startedAt))
      : [];
  return { config: join(dir, 'agent.yaml'), journals };
}

async function stopAll(agents: CliProcess[]): Promise<void> {
  for (const a of agents) a.child.kill('SIGTERM');
  await Promise.all(agents.map((a) => a.exited));
}

test('three agents, one config: the listed regions run in their turns, the unlisted one never', async () => {
  const eu = regionDir('eu-west-1');
  const us = regionDir('us-east-1');
  const ap = regionDir('ap-south-1');
  const listUs = await runCli(['chaos', 'list', '--config', us.config]);
  assert.match(
    listUs.stdout,
    /take-turns .* cron "\*\/5 \* \* \* \* \*" {2}region us-east-1 starts 2s after each tick/,
  );
  const listAp = await runCli(['chaos', 'list', '--config', ap.config, '--json']);
  const row = (JSON.parse(listAp.stdout) as { experiments: { turn: unknown }[] }).experiments[0];
  assert.deepEqual(row?.turn, {
    region: 'ap-south-1',
    regions: ['eu-west-1', 'us-east-1'],
    gap: '2s',
    startsAfterTick: null,
  });

  const agents = [eu, us, ap].map((r) => new CliProcess(['run', '--config', r.config, '--enable-chaos']));
  const [euAgent, usAgent, apAgent] = agents as [CliProcess, CliProcess, CliProcess];
  try {
    await waitUntil(() => eu.journals().length > 0 && us.journals().length > 0, 40_000, 'a run in both regions');
    await apAgent.waitForLog(
      (l) => l.msg === 'scheduled chaos experiment has no turn for this region in schedule.fleet: it never runs here',
    );
    const waits = await usAgent.waitForLog((l) =>
      String(l.msg).startsWith("scheduled chaos run waits 2s for this region's turn"),
    );
    assert.equal(
      euAgent.logs().some((l) => String(l.msg).includes("for this region's turn")),
      false,
      'the first region starts at the tick itself',
    );
    const usRun = us.journals()[0]!;
    assert.equal(usRun.status, 'completed', JSON.stringify(usRun));
    // A timer may fire a millisecond before the wall clock says so; the turn is seconds long.
    const turn = Date.parse(String(waits.startsAt));
    assert.ok(
      Date.parse(usRun.startedAt) >= turn - 50,
      `${usRun.startedAt} is before its turn ${String(waits.startsAt)}`,
    );
    // The eu run of the same tick started GAP_MS earlier and had ended when us began.
    const usStart = Date.parse(usRun.startedAt);
    const euRun = eu
      .journals()
      .filter((j) => Date.parse(j.startedAt) <= usStart - GAP_MS + 1_000)
      .at(-1);
    assert.ok(euRun, 'an eu-west-1 run of an earlier or the same tick');
    assert.ok(euRun.endedAt && Date.parse(euRun.endedAt) <= usStart, 'the two regions did not overlap');
    assert.equal(ap.journals().length, 0, 'the region without a turn never ran');
  } finally {
    await stopAll(agents);
  }
});

test('a run refuses while Alertmanager shows the experiment running in another region, and says so', async (t) => {
  if (!alertmanagerBinary()) return t.skip(NO_ALERTMANAGER);
  const am = await startAlertmanager(testAlertmanagerConfig('http://127.0.0.1:9/unused'));
  try {
    const busy = {
      labels: {
        alertname: 'CanaryChaosExperimentActive',
        experiment: 'take-turns',
        region: 'us-east-1',
        operator: 'canary-scheduler',
        target: 'none',
        run: 'r-us-1',
      },
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 120_000).toISOString(),
    };
    await postAlerts(am.url, [busy]);
    const eu = regionDir('eu-west-1', am.url);
    const file = join(eu.config, '..', 'turns.chaos.yaml');
    const refused = await runCli(['chaos', 'run', file, '--config', eu.config]);
    assert.equal(refused.code, 1, refused.stderr);
    assert.equal(
      refused.stderr.trim(),
      'canary: experiment "take-turns" is already running in region us-east-1 (run r-us-1, by canary-scheduler); regions take turns (nothing was touched)',
    );
    assert.equal(eu.journals().length, 0);
    // The same experiment active in this agent's own region is not another region's run.
    const usHere = regionDir('us-east-1', am.url);
    const ok = await runCli([
      'chaos',
      'run',
      join(usHere.config, '..', 'turns.chaos.yaml'),
      '--config',
      usHere.config,
      '--json',
    ]);
    assert.equal(ok.code, 0, ok.stderr);

    const agent = new CliProcess(['run', '--config', eu.config, '--enable-chaos']);
    try {
      const skipped = await agent.waitForLog(
        (l) => l.msg === 'scheduled chaos run skipped' && String(l.why).includes('already running in region us-east-1'),
        20_000,
      );
      assert.equal(skipped.experiment, 'take-turns');
      assert.equal(eu.journals().length, 0);
      await postAlerts(am.url, [{ ...busy, endsAt: new Date().toISOString() }]);
      await waitUntil(() => eu.journals().length > 0, 30_000, 'the run once the other region is done');
      assert.equal(eu.journals()[0]?.status, 'completed');
    } finally {
      await stopAll([agent]);
    }
  } finally {
    await am.stop();
  }
});
