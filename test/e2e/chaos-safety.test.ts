/**
 * The chaos engine's safety promises, shown with real processes: victims are child
 * processes (SIGSTOP is the fault), the runner is the real CLI in its own process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliProcess, runCli } from '../helpers/cli.js';
import { eventually } from '../helpers/wait.js';
import { isStopped, startChaosLab, victimTargets, type ChaosLab } from '../helpers/chaos.js';
import type { Journal } from '../../src/chaos/model/journal.js';

/** Three single-instance targets stopped one after another, then a long pause. */
function threeSteps(lab: ChaosLab): string {
  return [
    'name: three-steps',
    victimTargets(lab.victims),
    'blastRadius: { maxInstances: 3 }',
    'method:',
    '  - { action: process, target: v1, signal: SIGSTOP }',
    '  - { pause: 300ms }',
    '  - { action: process, target: v2, signal: SIGSTOP }',
    '  - { pause: 300ms }',
    '  - { action: process, target: v3, signal: SIGSTOP }',
    '  - { pause: 60s }',
    'maxDuration: 5m',
  ].join('\n');
}

function applied(journal: Journal | undefined): number {
  return journal?.faults.filter((f) => f.status === 'applied').length ?? 0;
}

async function waitApplied(lab: ChaosLab, count: number): Promise<void> {
  await eventually(
    () => Promise.resolve(applied(lab.journals()[0]) >= count ? true : undefined),
    15_000,
    `${count} fault(s) applied`,
  );
}

for (const step of [1, 2, 3]) {
  test(`SIGKILL of the runner after step ${step} of 3 leaves faults that \`chaos recover\` reverts`, async () => {
    const lab = await startChaosLab(3);
    try {
      const config = lab.writeConfig([]);
      const file = lab.writeExperiment('three', threeSteps(lab));
      const runner = new CliProcess(['chaos', 'run', file, '--config', config]);
      try {
        await waitApplied(lab, step);
        runner.child.kill('SIGKILL');
        await runner.exited;
      } finally {
        await runner.kill();
      }
      const stopped = lab.victims.slice(0, step);
      assert.ok(stopped.every(isStopped), 'the faults were live when the runner died');
      assert.equal(lab.journals()[0]?.status, 'running', 'the journal shows a run that never finished');

      const recover = await runCli(['chaos', 'recover', '--config', config]);
      assert.equal(recover.code, 0, recover.stderr);
      assert.match(recover.stdout, new RegExp(`three-steps .*: ${step} fault\\(s\\) reverted`));
      assert.ok(
        lab.victims.every((v) => !isStopped(v)),
        'every victim runs again',
      );
      const journal = lab.journals()[0];
      assert.equal(journal?.status, 'interrupted');
      assert.ok(journal?.faults.every((f) => f.status === 'reverted'));
      const again = await runCli(['chaos', 'recover', '--config', config]);
      assert.match(again.stdout, /nothing to recover/);
    } finally {
      await lab.cleanup();
    }
  });
}

test('SIGTERM mid-method: the runner rolls back before it exits', async () => {
  const lab = await startChaosLab(1);
  try {
    const config = lab.writeConfig([]);
    const file = lab.writeExperiment(
      'term',
      [
        'name: term',
        victimTargets(lab.victims),
        'blastRadius: { maxInstances: 1 }',
        'method:',
        '  - { action: process, target: v1, signal: SIGSTOP }',
        '  - { pause: 60s }',
      ].join('\n'),
    );
    const runner = new CliProcess(['chaos', 'run', file, '--config', config]);
    try {
      await waitApplied(lab, 1);
      assert.ok(isStopped(lab.victims[0]!));
      runner.child.kill('SIGTERM');
      const { code } = await runner.exited;
      assert.equal(code, 1, 'interrupted is not a success');
    } finally {
      await runner.kill();
    }
    assert.equal(isStopped(lab.victims[0]!), false, 'reverted before exit');
    const journal = lab.journals()[0];
    assert.equal(journal?.status, 'interrupted');
    assert.equal(journal?.faults[0]?.status, 'reverted');
    assert.match(runner.lines.join('\n'), /^term: INTERRUPTED/m);
  } finally {
    await lab.cleanup();
  }
});

test('halt from another process: the runner rolls back and exits within 1 s; runs are refused until resume', async () => {
  const lab = await startChaosLab(1);
  try {
    const config = lab.writeConfig([]);
    const file = lab.writeExperiment(
      'halt-me',
      [
        'name: halt-me',
        victimTargets(lab.victims),
        'blastRadius: { maxInstances: 1 }',
        'method:',
        '  - { action: process, target: v1, signal: SIGSTOP }',
        '  - { pause: 60s }',
      ].join('\n'),
    );
    const runner = new CliProcess(['chaos', 'run', file, '--config', config]);
    try {
      await waitApplied(lab, 1);
      const halt = await runCli(['chaos', 'halt', '--config', config, '--reason', 'test', '--operator', 'oncall']);
      assert.equal(halt.code, 0, halt.stderr);
      assert.equal((await runner.exited).code, 1);
    } finally {
      await runner.kill();
    }
    const haltAt = Date.parse((JSON.parse(readFileSync(join(lab.stateDir, 'HALT'), 'utf8')) as { at: string }).at);
    const journal = lab.journals()[0];
    assert.equal(journal?.status, 'aborted');
    assert.match(journal?.reason ?? '', /halted by oncall/);
    const endedAt = Date.parse(journal?.endedAt ?? '');
    assert.ok(endedAt - haltAt < 1_000, `rolled back and ended ${endedAt - haltAt} ms after the halt`);
    assert.equal(isStopped(lab.victims[0]!), false);

    const refused = await runCli(['chaos', 'run', file, '--config', config]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /halted on this host by oncall/);
    assert.equal(lab.journals().length, 1, 'a refused run writes no journal');

    assert.equal((await runCli(['chaos', 'resume', '--config', config])).code, 0);
    const quick = lab.writeExperiment(
      'quick',
      [
        'name: quick',
        victimTargets(lab.victims),
        'blastRadius: { maxInstances: 1 }',
        'method:',
        '  - { action: process, target: v1, signal: SIGSTOP }',
        '  - { pause: 100ms }',
      ].join('\n'),
    );
    const after = await runCli(['chaos', 'run', quick, '--config', config]);
    assert.equal(after.code, 0, after.stdout + after.stderr);
    assert.equal(isStopped(lab.victims[0]!), false);
  } finally {
    await lab.cleanup();
  }
});

test('dry-run and disabled chaos touch nothing', async () => {
  const lab = await startChaosLab(2);
  try {
    const experiment = [
      'name: careful',
      victimTargets(lab.victims),
      'blastRadius: { maxInstances: 2 }',
      'method:',
      '  - { action: process, target: v1, signal: SIGSTOP }',
      '  - { action: process, target: v2, signal: SIGSTOP }',
    ].join('\n');
    const file = lab.writeExperiment('careful', experiment);
    const disabled = lab.writeConfig([], { enabled: false });
    const refused = await runCli(['chaos', 'run', file, '--config', disabled]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /chaos is disabled/);

    const dry = await runCli(['chaos', 'run', file, '--config', disabled, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    for (const v of lab.victims)
      assert.match(dry.stdout, new RegExp(`\\[${v.name}\\] kill -STOP ${v.pid}`), 'the plan names the real pid');
    assert.match(dry.stdout, /revert: kill -CONT/);
    assert.match(dry.stdout, /a real run would be refused/);

    const enabled = lab.writeConfig([]);
    const json = await runCli(['chaos', 'run', file, '--config', enabled, '--dry-run', '--json']);
    assert.equal(json.code, 0);
    assert.equal((JSON.parse(json.stdout) as { ok: boolean }).ok, true);

    // A plan that cannot run (no pid file matches) is refused with exit 2, saying which step and why.
    const nothing = lab.writeExperiment(
      'nothing',
      [
        'name: nothing-there',
        'blastRadius: { maxInstances: 1 }',
        'targets: { gone: { pidFiles: /nonexistent-canary-dir/*.pid } }',
        'method:',
        '  - { action: process, target: gone, signal: SIGSTOP }',
      ].join('\n'),
    );
    const cannot = await runCli(['chaos', 'run', nothing, '--config', enabled, '--dry-run']);
    assert.equal(cannot.code, 2, cannot.stdout);
    assert.match(cannot.stdout, /CANNOT PLAN/);
    assert.match(cannot.stderr, /1 step\(s\) of the plan cannot run: method\[0\] \(/);

    assert.ok(lab.victims.every((v) => !isStopped(v)));
    assert.equal(existsSync(lab.stateDir), false, 'no state dir, journal or audit line was written');
  } finally {
    await lab.cleanup();
  }
});

test('the blast radius holds: refused at load when a selection asks for more, and at run time across steps', async () => {
  const lab = await startChaosLab(2);
  try {
    const config = lab.writeConfig([]);
    const both = `targets:\n  pool: { instances: [ ${lab.victims.map((v) => `{ name: ${v.name}, pidFile: "${v.pidFile}" }`).join(', ')} ] }`;
    const greedy = lab.writeExperiment(
      'greedy',
      [
        'name: greedy',
        both,
        'blastRadius: { maxInstances: 1 }',
        'method:',
        '  - { action: process, target: pool, signal: SIGSTOP, count: 2 }',
      ].join('\n'),
    );
    const atLoad = await runCli(['chaos', 'run', greedy, '--config', config]);
    assert.equal(atLoad.code, 2);
    assert.match(atLoad.stderr, /method\[0\]\.count: .*blastRadius\.maxInstances \(1\)/);

    // Each step alone is within the radius; together they are not: the runner refuses the second.
    const sneaky = lab.writeExperiment(
      'sneaky',
      [
        'name: sneaky',
        victimTargets(lab.victims),
        'blastRadius: { maxInstances: 1 }',
        'method:',
        '  - { action: process, target: v1, signal: SIGSTOP }',
        '  - { action: process, target: v2, signal: SIGSTOP }',
        '  - { pause: 30s }',
      ].join('\n'),
    );
    assert.equal((await runCli(['chaos', 'validate', sneaky, '--config', config])).code, 0, 'valid step by step');
    const run = await runCli(['chaos', 'run', sneaky, '--config', config, '--json']);
    const journal = JSON.parse(run.stdout) as Journal;
    assert.equal(run.code, 1);
    assert.equal(journal.status, 'failed');
    const refused = journal.steps.find((s) => s.id === 'method[1]');
    assert.equal(refused?.status, 'failed');
    assert.match(
      refused?.error ?? '',
      /blast radius: target "v2" would have 1 instance\(s\) faulted at once \(and 1 of other targets\), over blastRadius.maxInstances \(1\)/,
    );
    assert.equal(journal.faults.length, 1, 'v2 was never touched');
    assert.equal(journal.faults[0]?.instance, 'v1');
    assert.equal(journal.faults[0]?.status, 'reverted');
    assert.ok(lab.victims.every((v) => !isStopped(v)));
  } finally {
    await lab.cleanup();
  }
});

test('abortWhen tripped by breaking a real server stops the method, rolls back, and the journal says it deviated', async () => {
  const lab = await startChaosLab(2);
  try {
    const [web, other] = lab.victims as [(typeof lab.victims)[0], (typeof lab.victims)[0]];
    const config = lab.writeConfig([
      `{ name: web, kind: http, target: "${web.url}/", interval: 100ms, timeout: 100ms }`,
    ]);
    const file = lab.writeExperiment(
      'abort',
      [
        'name: abort-me',
        victimTargets([other]),
        'steadyState: [ { check: web, successRatio: ">= 0.9", window: 2s, minSamples: 3 } ]',
        'abortWhen: [ { check: web, successRatio: "< 0.5", window: 1s, minSamples: 3 } ]',
        'blastRadius: { maxInstances: 1 }',
        'method:',
        `  - { action: process, target: ${other.name}, signal: SIGSTOP }`,
        '  - { pause: 60s }',
        'recoveryTimeout: 10s',
      ].join('\n'),
    );
    const runner = new CliProcess(['chaos', 'run', file, '--config', config, '--json']);
    try {
      await waitApplied(lab, 1);
      const brokeAt = Date.now();
      await fetch(`${web.url}/break`);
      await eventually(
        () => Promise.resolve(lab.journals()[0]?.steadyState.aborted ? true : undefined),
        15_000,
        'abort',
      );
      assert.ok(Date.now() - brokeAt < 10_000, 'the abort came long before the 60 s pause ended');
      await fetch(`${web.url}/fix`);
      assert.equal((await runner.exited).code, 1);
    } finally {
      await runner.kill();
    }
    const journal = JSON.parse(runner.lines.join('\n')) as Journal;
    assert.equal(journal.status, 'aborted');
    assert.match(journal.reason ?? '', /abortWhen met for web/);
    assert.equal(journal.deviated, true);
    assert.equal(journal.steadyState.before?.holds, true);
    assert.equal(journal.steadyState.after?.holds, true, 'recovered once the server was fixed');
    assert.equal(journal.faults[0]?.status, 'reverted');
    assert.equal(isStopped(other), false);
  } finally {
    await lab.cleanup();
  }
});

test('the audit log verifies, and fails after one line is edited', async () => {
  const lab = await startChaosLab(1);
  try {
    const config = lab.writeConfig([]);
    const file = lab.writeExperiment(
      'audited',
      [
        'name: audited',
        victimTargets(lab.victims),
        'blastRadius: { maxInstances: 1 }',
        'method:',
        '  - { action: process, target: v1, signal: SIGSTOP }',
        '  - { pause: 100ms }',
      ].join('\n'),
    );
    assert.equal((await runCli(['chaos', 'run', file, '--config', config, '--operator', 'alice'])).code, 0);
    const ok = await runCli(['chaos', 'audit', 'verify', '--config', config]);
    assert.equal(ok.code, 0, ok.stderr);
    const auditFile = join(lab.stateDir, 'audit.jsonl');
    const lines = readFileSync(auditFile, 'utf8').trim().split('\n');
    assert.ok(lines.length >= 4, 'start, apply, revert, end');
    const entries = lines.map((l) => JSON.parse(l) as { event: string; operator: string; call?: { pid?: number } });
    assert.ok(
      entries.some((e) => e.event === 'fault.apply' && e.operator === 'alice' && e.call?.pid === lab.victims[0]?.pid),
    );
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      auditFile,
      [lines[0], (lines[1] ?? '').replace('alice', 'mallory'), ...lines.slice(2)].join('\n') + '\n',
    );
    const bad = await runCli(['chaos', 'audit', 'verify', '--config', config]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /audit\.jsonl:2: /);
  } finally {
    await lab.cleanup();
  }
});
