/**
 * `canary chaos run --alertmanager URL`: the run fires CanaryChaosExperimentActive while it
 * runs and resolves it at its end, and its journal and audit log name the alert.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Journal } from '../../src/chaos/model/journal.js';
import { alertmanagerBinary, NO_ALERTMANAGER, startAlertmanager, startWebhook } from '../helpers/alertmanager.js';
import { testAlertmanagerConfig } from '../helpers/alertmanager-config.js';
import { startChaosLab, victimTargets } from '../helpers/chaos.js';
import { runCli } from '../helpers/cli.js';
import { eventually } from '../helpers/wait.js';

test('a chaos run is shown in Alertmanager while it runs; the journal and audit log link the alert', async (t) => {
  if (!alertmanagerBinary()) return t.skip(NO_ALERTMANAGER);
  const webhook = await startWebhook();
  const am = await startAlertmanager(testAlertmanagerConfig(`${webhook.origin}/chaos`));
  const lab = await startChaosLab(1);
  try {
    const config = lab.writeConfig([]);
    const file = lab.writeExperiment(
      'visible',
      [
        'name: visible-run',
        victimTargets(lab.victims),
        'blastRadius: { maxInstances: 1 }',
        'method:',
        '  - { action: process, target: v1, signal: SIGSTOP }',
        '  - { pause: 1s }',
      ].join('\n'),
    );
    const run = await runCli([
      'chaos',
      'run',
      file,
      '--config',
      config,
      '--operator',
      'alice',
      '--alertmanager',
      am.url,
      '--json',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const journal = JSON.parse(run.stdout) as Journal;
    const labels = {
      alertname: 'CanaryChaosExperimentActive',
      experiment: 'visible-run',
      region: 'chaos-test',
      operator: 'alice',
      target: 'v1',
      run: journal.runId,
    };
    assert.deepEqual(journal.alert, { alertmanager: am.url, labels });
    const audit = readFileSync(join(lab.stateDir, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; detail?: string });
    assert.equal(audit.find((e) => e.event === 'run.start')?.detail, `alert CanaryChaosExperimentActive at ${am.url}`);
    const seen = await eventually(
      () => {
        const n = webhook.notifications();
        return n.some((x) => x.status === 'resolved') ? n : undefined;
      },
      20_000,
      'the resolved notification',
    );
    assert.equal(seen[0]?.status, 'firing', 'the firing notification came first');
    for (const n of seen) assert.deepEqual(n.alerts[0]?.labels, labels);
  } finally {
    await lab.cleanup();
    await am.stop();
    await webhook.close();
  }
});

test('--alertmanager that is not an http(s) URL is refused before anything runs', async () => {
  const lab = await startChaosLab(1);
  try {
    const config = lab.writeConfig([]);
    const file = lab.writeExperiment(
      'bad-url',
      [
        'name: bad-url',
        victimTargets(lab.victims),
        'blastRadius: { maxInstances: 1 }',
        'method:',
        '  - { pause: 10ms }',
      ].join('\n'),
    );
    const run = await runCli(['chaos', 'run', file, '--config', config, '--alertmanager', 'ftp://x']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--alertmanager: "ftp:\/\/x" is not an http\(s\) URL/);
    assert.equal(lab.journals().length, 0);
  } finally {
    await lab.cleanup();
  }
});
