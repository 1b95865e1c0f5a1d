/** `kill` steps: the process really dies, and the rollback (or `recover`) starts it again. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import { alive, currentPid, killRunnerAfterFirstFault, startChaosLab, type ChaosLab } from '../helpers/chaos.js';
import { fixture } from '../helpers/paths.js';
import type { Journal } from '../../src/chaos/model/journal.js';

function experiment(lab: ChaosLab, pause: string): string {
  const v = lab.victims[0]!;
  return [
    'name: kill-and-back',
    'targets:',
    `  web: { instances: [ { name: ${v.name}, pidFile: "${v.pidFile}" } ], start: { argv: ["${process.execPath}", "${fixture('victim', 'server.mjs')}", "{pidFile}"], timeout: 10s } }`,
    'blastRadius: { maxInstances: 1 }',
    'method:',
    '  - { action: kill, target: web }',
    `  - { pause: ${pause} }`,
  ].join('\n');
}

test('kill: the process dies; the rollback starts it again, detached, with a new pid', async () => {
  const lab = await startChaosLab(1);
  const started: number[] = [];
  try {
    const v = lab.victims[0]!;
    const config = lab.writeConfig([]);
    const file = lab.writeExperiment('kill', experiment(lab, '300ms'));
    const dry = await runCli(['chaos', 'run', file, '--config', config, '--dry-run']);
    assert.match(dry.stdout, new RegExp(`kill -KILL ${v.pid}`));
    assert.match(dry.stdout, /revert: start .*server\.mjs/);
    const run = await runCli(['chaos', 'run', file, '--config', config, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const journal = JSON.parse(run.stdout) as Journal;
    assert.equal(journal.faults[0]?.status, 'reverted');
    assert.equal(alive(v.pid), false, 'the original process is dead');
    const restarted = currentPid(v.pidFile);
    started.push(restarted);
    assert.notEqual(restarted, v.pid);
    assert.ok(alive(restarted), 'a new process runs');
    assert.match(journal.faults[0]?.revertOutcome?.output ?? '', new RegExp(`started \\(pid ${restarted}\\)`));
  } finally {
    for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await lab.cleanup();
  }
});

test('kill, then the runner is SIGKILLed: recover starts the instance again', async () => {
  const lab = await startChaosLab(1);
  const started: number[] = [];
  try {
    const v = lab.victims[0]!;
    const config = lab.writeConfig([]);
    const file = lab.writeExperiment('kill', experiment(lab, '60s'));
    await killRunnerAfterFirstFault(lab, file, config);
    assert.equal(alive(v.pid), false);
    const recover = await runCli(['chaos', 'recover', '--config', config]);
    assert.equal(recover.code, 0, recover.stderr);
    const restarted = currentPid(v.pidFile);
    started.push(restarted);
    assert.notEqual(restarted, v.pid);
    assert.ok(alive(restarted));
  } finally {
    for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await lab.cleanup();
  }
});
