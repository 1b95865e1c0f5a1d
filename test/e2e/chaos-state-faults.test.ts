/**
 * The chaos engine survives faults of its own state directory. The directory is made
 * unwritable for real mid-run: renamed away and a regular file put in its place, so every
 * journal, audit and lock write fails with ENOTDIR. (chmod would not do: root ignores
 * permissions; a rename works the same for root and for other users.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { CliProcess, runCli } from '../helpers/cli.js';
import { eventually } from '../helpers/wait.js';
import { isStopped, startChaosLab, victimTargets, type ChaosLab } from '../helpers/chaos.js';
import { lockPath } from '../../src/chaos/state/lock.js';

/** Two victims stopped one after the other, then a long pause to act in. */
function twoStops(lab: ChaosLab): string {
  return [
    'name: two-stops',
    victimTargets(lab.victims),
    'blastRadius: { maxInstances: 2 }',
    'method:',
    '  - { action: process, target: v1, signal: SIGSTOP }',
    '  - { action: process, target: v2, signal: SIGSTOP }',
    '  - { pause: 60s }',
    'maxDuration: 5m',
  ].join('\n');
}

test('state dir replaced mid-run: every victim resumed, the lock not left held, exit 1, the unrecorded writes logged', async () => {
  const lab = await startChaosLab(2);
  const away = `${lab.stateDir}.away`;
  try {
    const config = lab.writeConfig([]);
    const file = lab.writeExperiment('two', twoStops(lab));
    const runner = new CliProcess(['chaos', 'run', file, '--config', config]);
    try {
      await eventually(
        () =>
          Promise.resolve(
            lab.journals()[0]?.faults.filter((f) => f.status === 'applied').length === 2 ? true : undefined,
          ),
        15_000,
        'both faults applied',
      );
      assert.ok(lab.victims.every(isStopped), 'both faults are live');
      renameSync(lab.stateDir, away);
      writeFileSync(lab.stateDir, 'not a directory\n');
      // Ends the pause; every write from here on fails, the rollback included.
      runner.child.kill('SIGTERM');
      const { code } = await runner.exited;
      assert.equal(code, 1, runner.stderr);
    } finally {
      await runner.kill();
    }
    assert.ok(
      lab.victims.every((v) => !isStopped(v)),
      'every victim runs again, though no revert could be journaled',
    );
    const out = runner.lines.join('\n');
    assert.match(out, /^two-stops: FAILED/m);
    assert.match(out, /the chaos state directory cannot be written/);
    assert.match(runner.stderr, /could not record the journal after reverting method\[1\] on v2: .*ENOTDIR/);
    assert.match(runner.stderr, /could not record the journal after reverting method\[0\] on v1: .*ENOTDIR/);
    assert.match(runner.stderr, /could not record the audit line fault\.revert method\[0\] on v1 \(ok\)/);
    assert.match(runner.stderr, /could not release the run lock: .*ENOTDIR/);

    // The directory back: the lock the runner could not remove names a process that has
    // exited, so it is not held; recovery takes it over and finishes the journal that
    // still says "running".
    rmSync(lab.stateDir);
    renameSync(away, lab.stateDir);
    assert.ok(existsSync(lockPath(lab.stateDir)), 'the lock file the runner could not remove');
    const recover = await runCli(['chaos', 'recover', '--config', config]);
    assert.equal(recover.code, 0, recover.stderr);
    assert.match(recover.stdout, /two-stops .*: 2 fault\(s\) reverted/);
    assert.equal(existsSync(lockPath(lab.stateDir)), false, 'the lock is gone');
    assert.equal(lab.journals()[0]?.status, 'interrupted');
    assert.ok(lab.victims.every((v) => !isStopped(v)));
  } finally {
    await lab.cleanup();
  }
});
