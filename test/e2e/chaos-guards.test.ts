/** The remaining guards of a chaos run: maxDuration, requireApproval, one run at a time. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliProcess, runCli } from '../helpers/cli.js';
import { eventually } from '../helpers/wait.js';
import { isStopped, startChaosLab, victimTargets, killRunnerAfterFirstFault } from '../helpers/chaos.js';
import type { Journal } from '../../src/chaos/model/journal.js';

test('maxDuration reached during a step that would outlive it: rollback forced, aborted, reverted', async () => {
  const lab = await startChaosLab(1);
  try {
    const config = lab.writeConfig([]);
    // An exec step that outlives maxDuration: the clock, not the method, ends it.
    const file = lab.writeExperiment(
      'slow',
      [
        'name: slow-step',
        victimTargets(lab.victims),
        'blastRadius: { maxInstances: 1 }',
        'method:',
        '  - { action: process, target: v1, signal: SIGSTOP }',
        `  - { action: exec, argv: ["${process.execPath}", "-e", "setTimeout(() => {}, 20000)"], timeout: 30s }`,
        'maxDuration: 2s',
        'recoveryTimeout: 1s',
      ].join('\n'),
    );
    const started = Date.now();
    const run = await runCli(['chaos', 'run', file, '--config', config, '--json']);
    const journal = JSON.parse(run.stdout) as Journal;
    assert.equal(run.code, 1);
    assert.equal(journal.status, 'aborted');
    assert.match(journal.reason ?? '', /maxDuration/);
    assert.ok(Date.now() - started < 15_000, 'not held for the 20 s the step wanted');
    assert.equal(journal.faults[0]?.status, 'reverted');
    assert.equal(isStopped(lab.victims[0]!), false);
  } finally {
    await lab.cleanup();
  }
});

test('requireApproval needs --approved-by naming someone else, and records both', async () => {
  const lab = await startChaosLab(1);
  try {
    const config = lab.writeConfig([]);
    const file = lab.writeExperiment(
      'approve',
      [
        'name: needs-approval',
        victimTargets(lab.victims),
        'blastRadius: { maxInstances: 1 }',
        'requireApproval: true',
        'method:',
        '  - { action: process, target: v1, signal: SIGSTOP }',
        '  - { pause: 100ms }',
      ].join('\n'),
    );
    const missing = await runCli(['chaos', 'run', file, '--config', config, '--operator', 'alice']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--approved-by/);
    const self = await runCli([
      'chaos',
      'run',
      file,
      '--config',
      config,
      '--operator',
      'alice',
      '--approved-by',
      'alice',
    ]);
    assert.equal(self.code, 2);
    assert.match(self.stderr, /someone other than the operator \(alice\)/);
    assert.equal(lab.journals().length, 0, 'refused runs touch nothing');
    const ok = await runCli([
      'chaos',
      'run',
      file,
      '--config',
      config,
      '--operator',
      'alice',
      '--approved-by',
      'bob',
      '--json',
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    const journal = JSON.parse(ok.stdout) as Journal;
    assert.equal(journal.operator, 'alice');
    assert.equal(journal.approvedBy, 'bob');
  } finally {
    await lab.cleanup();
  }
});

test('one experiment at a time: a second run is refused while the first holds the lock', async () => {
  const lab = await startChaosLab(2);
  try {
    const config = lab.writeConfig([]);
    const first = lab.writeExperiment(
      'first',
      [
        'name: first',
        victimTargets([lab.victims[0]!]),
        'blastRadius: { maxInstances: 1 }',
        'method:',
        '  - { action: process, target: v1, signal: SIGSTOP }',
        '  - { pause: 60s }',
      ].join('\n'),
    );
    const second = lab.writeExperiment(
      'second',
      [
        'name: second',
        victimTargets([lab.victims[1]!]),
        'blastRadius: { maxInstances: 1 }',
        'method:',
        '  - { action: process, target: v2, signal: SIGSTOP }',
      ].join('\n'),
    );
    const runner = new CliProcess(['chaos', 'run', first, '--config', config]);
    try {
      await eventually(
        () => Promise.resolve(lab.journals()[0]?.faults[0]?.status === 'applied' ? true : undefined),
        15_000,
        'first run applied',
      );
      const busy = await runCli(['chaos', 'run', second, '--config', config]);
      assert.equal(busy.code, 1);
      assert.match(busy.stderr, /first/);
      assert.equal(isStopped(lab.victims[1]!), false, 'the second experiment touched nothing');
    } finally {
      runner.child.kill('SIGTERM');
      await runner.exited;
    }
    assert.equal(isStopped(lab.victims[0]!), false);
  } finally {
    await lab.cleanup();
  }
});

test('a chaos run that died is reverted by the next run, before it starts', async () => {
  const lab = await startChaosLab(2);
  try {
    const config = lab.writeConfig([]);
    const dying = lab.writeExperiment(
      'dying',
      [
        'name: dying',
        victimTargets([lab.victims[0]!]),
        'blastRadius: { maxInstances: 1 }',
        'method:',
        '  - { action: process, target: v1, signal: SIGSTOP }',
        '  - { pause: 60s }',
      ].join('\n'),
    );
    const next = lab.writeExperiment(
      'next',
      [
        'name: next',
        victimTargets([lab.victims[1]!]),
        'blastRadius: { maxInstances: 1 }',
        'method:',
        '  - { action: process, target: v2, signal: SIGSTOP }',
        '  - { pause: 100ms }',
      ].join('\n'),
    );
    await killRunnerAfterFirstFault(lab, dying, config);
    assert.ok(isStopped(lab.victims[0]!));
    const run = await runCli(['chaos', 'run', next, '--config', config]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /an unfinished chaos run was recovered before this one/);
    assert.ok(lab.victims.every((v) => !isStopped(v)));
    assert.equal(lab.journals().find((j) => j.experiment === 'dying')?.status, 'interrupted');
  } finally {
    await lab.cleanup();
  }
});

test('a rollback that cannot be planned stops the run before any fault', async () => {
  const lab = await startChaosLab(1);
  try {
    const config = lab.writeConfig([]);
    const ghost = `${lab.dir}/pids/ghost.pid`;
    const file = lab.writeExperiment(
      'ghost',
      [
        'name: ghost-rollback',
        victimTargets(lab.victims),
        `  ghost: { instances: [ { name: ghost, pidFile: "${ghost}" } ] }`,
        'blastRadius: { maxInstances: 2 }',
        'method:',
        '  - { action: process, target: v1, signal: SIGSTOP }',
        'rollback:',
        '  - { action: process, target: ghost, signal: SIGCONT }',
      ].join('\n'),
    );
    const run = await runCli(['chaos', 'run', file, '--config', config, '--json']);
    assert.equal(run.code, 1, run.stderr);
    const journal = JSON.parse(run.stdout) as Journal;
    assert.equal(journal.status, 'failed');
    assert.match(journal.reason ?? '', /rollback cannot be planned/);
    assert.equal(journal.faults.length, 0);
    assert.equal(isStopped(lab.victims[0]!), false);
  } finally {
    await lab.cleanup();
  }
});
