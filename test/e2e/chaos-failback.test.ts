/** Failback in waves against real processes: spacing from the journal, gates, rollback. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { CliProcess, runCli } from '../helpers/cli.js';
import { eventually } from '../helpers/wait.js';
import { alive, currentPid, startChaosLab, type ChaosLab } from '../helpers/chaos.js';
import { fixture } from '../helpers/paths.js';
import type { Journal } from '../../src/chaos/model/journal.js';

/** v1 is the service the hypothesis watches; v2..v4 are the pool that is killed and brought back. */
function experiment(lab: ChaosLab, failback: string, gate = '5s'): string {
  const pool = lab.victims.slice(1);
  return [
    'name: failback-test',
    'targets:',
    `  pool: { instances: [ ${pool.map((v) => `{ name: ${v.name}, pidFile: "${v.pidFile}" }`).join(', ')} ], start: { argv: ["${process.execPath}", "${fixture('victim', 'server.mjs')}", "{pidFile}"] } }`,
    'steadyState: [ { check: front, successRatio: ">= 0.9", window: 1s, minSamples: 3 } ]',
    'blastRadius: { maxInstances: 3 }',
    'method:',
    '  - { action: kill, target: pool }',
    '  - { pause: 300ms }',
    `  - { action: failback, target: pool, ${failback}, gateTimeout: ${gate} }`,
    'recoveryTimeout: 3s',
  ].join('\n');
}

async function run(
  lab: ChaosLab,
  yaml: string,
  during?: () => Promise<void>,
): Promise<{ code: number | null; journal: Journal }> {
  const front = lab.victims[0]!;
  const config = lab.writeConfig([
    `{ name: front, kind: http, target: "${front.url}/", interval: 100ms, timeout: 100ms }`,
  ]);
  const file = lab.writeExperiment('failback', yaml);
  const runner = new CliProcess(['chaos', 'run', file, '--config', config, '--json']);
  try {
    if (during) await during();
    const { code } = await runner.exited;
    return { code, journal: JSON.parse(runner.lines.join('\n')) as Journal };
  } finally {
    await runner.kill();
  }
}

function cleanupPool(lab: ChaosLab): void {
  for (const v of lab.victims.slice(1)) {
    const pid = existsSync(v.pidFile) ? currentPid(v.pidFile) : 0;
    if (pid > 1 && pid !== v.pid && alive(pid)) process.kill(pid, 'SIGKILL');
  }
}

test('staggered failback: one instance per wave, waves spaced by the interval, every instance back', async () => {
  const lab = await startChaosLab(4);
  try {
    const { code, journal } = await run(lab, experiment(lab, 'waveSize: 1, interval: 700ms'));
    assert.equal(code, 0, JSON.stringify(journal.reason));
    assert.equal(journal.status, 'completed');
    const waves = journal.waves ?? [];
    assert.deepEqual(
      waves.map((w) => w.instances.length),
      [1, 1, 1],
    );
    assert.deepEqual(waves.flatMap((w) => w.instances).sort(), ['v2', 'v3', 'v4']);
    for (let i = 1; i < waves.length; i++) {
      const gap = Date.parse(waves[i]!.startedAt) - Date.parse(waves[i - 1]!.startedAt);
      assert.ok(gap >= 700, `wave ${i + 1} started ${gap} ms after wave ${i}`);
    }
    assert.ok(waves.every((w) => w.gate && w.checks[0]?.check === 'front' && w.checks[0].samples > 0));
    for (const v of lab.victims.slice(1)) {
      assert.equal(alive(v.pid), false, `${v.name}'s original process died`);
      assert.ok(alive(currentPid(v.pidFile)), `${v.name} runs again`);
    }
  } finally {
    cleanupPool(lab);
    await lab.cleanup();
  }
});

test('all-at-once brings the whole pool back in one wave', async () => {
  const lab = await startChaosLab(4);
  try {
    const { code, journal } = await run(lab, experiment(lab, 'strategy: all-at-once, interval: 200ms'));
    assert.equal(code, 0);
    assert.deepEqual(
      journal.waves?.map((w) => w.instances.length),
      [3],
    );
  } finally {
    cleanupPool(lab);
    await lab.cleanup();
  }
});

test('restore brings every killed instance back at once, without waiting for a gate', async () => {
  const lab = await startChaosLab(4);
  try {
    const yaml = experiment(lab, 'strategy: all-at-once').replace(
      /^ {2}- \{ action: failback.*$/m,
      '  - { action: restore, target: pool }',
    );
    assert.match(yaml, /action: restore/);
    const { code, journal } = await run(lab, yaml);
    assert.equal(code, 0, JSON.stringify(journal.reason));
    assert.deepEqual(
      journal.steps.map((s) => s.action),
      ['process', 'pause', 'restore'],
    );
    assert.deepEqual(
      journal.waves?.map((w) => w.instances.length),
      [3],
    );
    assert.ok(journal.faults.every((f) => f.status === 'reverted'));
    for (const v of lab.victims.slice(1)) assert.ok(alive(currentPid(v.pidFile)), `${v.name} runs again`);
  } finally {
    cleanupPool(lab);
    await lab.cleanup();
  }
});

test('a gate that never becomes steady stops the failback and the rollback brings the rest back', async () => {
  const lab = await startChaosLab(4);
  const front = lab.victims[0]!;
  try {
    const { code, journal } = await run(lab, experiment(lab, 'waveSize: 1, interval: 200ms', '1s'), async () => {
      await eventually(
        () =>
          Promise.resolve(
            lab.journals()[0]?.faults.filter((f) => f.status === 'applied').length === 3 ? true : undefined,
          ),
        15_000,
        'pool killed',
      );
      await fetch(`${front.url}/break`);
    });
    await fetch(`${front.url}/fix`);
    assert.equal(code, 1);
    assert.equal(journal.status, 'aborted');
    assert.match(journal.reason ?? '', /did not return within 1000 ms after wave 1/);
    assert.deepEqual(
      journal.waves?.map((w) => w.gate),
      [false],
    );
    assert.equal(journal.deviated, true);
    assert.ok(
      journal.faults.every((f) => f.status === 'reverted'),
      'the rollback restored the instances the failback did not reach',
    );
    for (const v of lab.victims.slice(1)) assert.ok(alive(currentPid(v.pidFile)), `${v.name} runs again`);
  } finally {
    cleanupPool(lab);
    await lab.cleanup();
  }
});

test('SIGKILL of the runner mid-failback, then recover: every instance runs', async () => {
  const lab = await startChaosLab(4);
  try {
    const front = lab.victims[0]!;
    const config = lab.writeConfig([
      `{ name: front, kind: http, target: "${front.url}/", interval: 100ms, timeout: 100ms }`,
    ]);
    const file = lab.writeExperiment('failback', experiment(lab, 'waveSize: 1, interval: 3s'));
    const runner = new CliProcess(['chaos', 'run', file, '--config', config]);
    try {
      await eventually(
        () => Promise.resolve(lab.journals()[0]?.faults.some((f) => f.status === 'reverted') ? true : undefined),
        20_000,
        'the first wave back',
      );
      runner.child.kill('SIGKILL');
      await runner.exited;
    } finally {
      await runner.kill();
    }
    const down = lab.journals()[0]?.faults.filter((f) => f.status === 'applied').length ?? 0;
    assert.ok(down >= 1, 'instances were still down when the runner died');
    const recover = await runCli(['chaos', 'recover', '--config', config]);
    assert.equal(recover.code, 0, recover.stderr);
    for (const v of lab.victims.slice(1)) assert.ok(alive(currentPid(v.pidFile)), `${v.name} runs again`);
  } finally {
    cleanupPool(lab);
    await lab.cleanup();
  }
});
