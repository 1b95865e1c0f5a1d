/** `canary chaos run` prints its progress as it runs, the journal's path at the end, and `--json` stays one document. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { runCli } from '../helpers/cli.js';
import { alive, currentPid, startChaosLab, type ChaosLab } from '../helpers/chaos.js';
import { fixture } from '../helpers/paths.js';
import type { Journal } from '../../src/chaos/model/journal.js';

/** v1 is watched by the hypothesis; v2 and v3 are killed, then brought back one wave each. */
function experiment(lab: ChaosLab): string {
  const pool = lab.victims.slice(1);
  return [
    'name: progress-test',
    'targets:',
    `  pool: { instances: [ ${pool.map((v) => `{ name: ${v.name}, pidFile: "${v.pidFile}" }`).join(', ')} ], start: { argv: ["${process.execPath}", "${fixture('victim', 'server.mjs')}", "{pidFile}"] } }`,
    'steadyState: [ { check: front, successRatio: ">= 0.9", window: 2s, minSamples: 3 } ]',
    'blastRadius: { maxInstances: 2 }',
    'method:',
    '  - { action: kill, target: pool }',
    '  - { action: failback, target: pool, waveSize: 1, interval: 200ms, gateTimeout: 10s }',
    'recoveryTimeout: 10s',
  ].join('\n');
}

async function runExperiment(json: boolean): Promise<{ code: number | null; stdout: string; lab: ChaosLab }> {
  const lab = await startChaosLab(3);
  const front = lab.victims[0]!;
  const config = lab.writeConfig([
    `{ name: front, kind: http, target: "${front.url}/", interval: 200ms, timeout: 200ms }`,
  ]);
  const file = lab.writeExperiment('progress', experiment(lab));
  const { code, stdout, stderr } = await runCli(
    ['chaos', 'run', file, '--config', config, ...(json ? ['--json'] : [])],
    {
      timeoutMs: 60_000,
    },
  );
  assert.equal(code, 0, `${stdout}\n${stderr}`);
  return { code, stdout, lab };
}

async function cleanup(lab: ChaosLab): Promise<void> {
  for (const v of lab.victims.slice(1)) {
    const pid = existsSync(v.pidFile) ? currentPid(v.pidFile) : 0;
    if (pid > 1 && pid !== v.pid && alive(pid)) process.kill(pid, 'SIGKILL');
  }
  await lab.cleanup();
}

const STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (.+)$/;

test('progress: one time-stamped line per step, fault, wave, gate and verdict, in order, then the journal path', async () => {
  const { stdout, lab } = await runExperiment(false);
  try {
    assert.ok(!stdout.includes('\r') && !stdout.includes('\u001b'), 'no live line when stdout is not a terminal');
    const lines = stdout.split('\n');
    const progress = lines.flatMap((l) => STAMP.exec(l)?.[1] ?? []);
    const runId = /^run (\S+) of progress-test started$/.exec(progress[0] ?? '')?.[1];
    assert.ok(runId, progress[0]);
    assert.match(progress[1] ?? '', /^steady state before: held — front \(\d+ results\) successRatio=1\.0000$/);
    assert.deepEqual(
      progress.slice(2).map((l) => l.replace(/ on v[23]$/, ' on vN').replace(/: v[23]$/, ': vN')),
      [
        'step method[0] (process) started',
        'fault applied: method[0] on vN',
        'fault applied: method[0] on vN',
        'step method[0] ok',
        'step method[1] (failback) started',
        'wave 1/2 of method[1] started: vN',
        'fault reverted: method[0] on vN',
        'wave 1 of method[1]: gate passed',
        'wave 2/2 of method[1] started: vN',
        'fault reverted: method[0] on vN',
        'wave 2 of method[1]: gate passed',
        'step method[1] ok',
        'rollback started',
        'rollback done',
        'steady state after rollback: held — ' + progress.at(-2)!.split(' — ')[1],
        `run ${runId} ended: completed`,
      ],
    );
    assert.match(progress.at(-2)!, /^steady state after rollback: held — front \(\d+ results\) successRatio=/);
    const journalLine = lines.filter((l) => l.startsWith('journal: '));
    assert.equal(journalLine.length, 1);
    assert.equal(lines.filter((l) => l !== '').at(-1), journalLine[0], 'the journal path comes last');
    const path = journalLine[0]!.slice('journal: '.length);
    const journal = JSON.parse(readFileSync(path, 'utf8')) as Journal;
    assert.equal(journal.runId, runId);
    assert.equal(journal.status, 'completed');
  } finally {
    await cleanup(lab);
  }
});

test('--json: stdout is exactly one JSON document, the journal, with no progress lines', async () => {
  const { stdout, lab } = await runExperiment(true);
  try {
    const journal = JSON.parse(stdout) as Journal;
    assert.equal(journal.status, 'completed');
    assert.equal(journal.waves?.length, 2);
    assert.doesNotMatch(stdout, /^\d{4}-\d\d-\d\dT[\d:.]+Z /m);
    assert.doesNotMatch(stdout, /^journal: /m);
  } finally {
    await cleanup(lab);
  }
});
