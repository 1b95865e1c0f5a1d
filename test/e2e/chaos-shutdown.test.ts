/** A stop signal while a scheduled chaos run is in progress: the agent waits for its rollback, then exits. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CliProcess } from '../helpers/cli.js';
import { startChaosLab, type ChaosLab } from '../helpers/chaos.js';
import { eventually } from '../helpers/wait.js';

/** How long the rollback call takes: longer than a progress tick, far shorter than the budget. */
const ROLLBACK_MS = 3_000;

/** A lab with one scheduled experiment whose rollback takes ROLLBACK_MS, and an agent running it, in its method. */
async function agentInMethod(lab: ChaosLab, marker: string): Promise<CliProcess> {
  const config = lab.writeConfig([]);
  const rollback = `setTimeout(() => require('fs').writeFileSync(process.argv[1], 'done'), ${ROLLBACK_MS})`;
  lab.writeExperiment(
    'slow-rollback',
    [
      'name: slow-rollback',
      'blastRadius: { maxInstances: 1 }',
      'method:',
      '  - { pause: 60s }',
      'rollback:',
      `  - { action: exec, argv: ["${process.execPath}", "-e", "${rollback}", "${marker}"], timeout: 20s }`,
      'schedule: { cron: "* * * * * *", minGap: 1h }',
    ].join('\n'),
  );
  const agent = new CliProcess(['run', '--config', config, '--enable-chaos']);
  await eventually(
    () => Promise.resolve(lab.journals()[0]?.steadyState.before !== undefined ? true : undefined),
    20_000,
    'the scheduled run past its steady state, in its method',
  ).catch(async (error: unknown) => {
    await agent.kill();
    throw error;
  });
  return agent;
}

test('SIGTERM during a chaos run waits for its slow rollback, logging progress, then exits 0', async () => {
  const lab = await startChaosLab(0);
  const marker = join(lab.dir, 'rolled-back');
  try {
    const agent = await agentInMethod(lab, marker);
    try {
      agent.child.kill('SIGTERM');
      const { code } = await agent.exited;
      assert.equal(code, 0, agent.stderr);
      assert.ok(existsSync(marker), 'the rollback ran to its end before the process exited');
      const progress = agent.logs().filter((l) => String(l.msg).startsWith('waiting for chaos rollback'));
      assert.ok(progress.length >= 1, 'progress logged while the rollback ran');
      assert.match(String(progress[0]?.msg), /^waiting for chaos rollback of slow-rollback: \d+ s of 120 s$/);
      const journal = lab.journals()[0];
      assert.equal(journal?.status, 'interrupted');
      assert.equal(journal?.rollbacks[0]?.status, 'ok');
      assert.ok(
        agent.logs().findIndex((l) => l.msg === 'agent stopped') > agent.logs().findIndex((l) => l === progress.at(-1)),
        'the agent stops after the rollback',
      );
    } finally {
      await agent.kill();
    }
  } finally {
    await lab.cleanup();
  }
});

test('a second signal during the rollback wait exits 1 at once and says what it cut short', async () => {
  const lab = await startChaosLab(0);
  try {
    const agent = await agentInMethod(lab, join(lab.dir, 'rolled-back'));
    try {
      agent.child.kill('SIGTERM');
      await agent.waitForLog((l) => String(l.msg).startsWith('waiting for chaos rollback of slow-rollback'));
      agent.child.kill('SIGTERM');
      const { code } = await agent.exited;
      assert.equal(code, 1);
      const forced = agent.logs().find((l) => l.msg === 'forced exit');
      assert.match(String(forced?.why), /^second signal: chaos rollback of slow-rollback cut short/);
    } finally {
      await agent.kill();
    }
  } finally {
    await lab.cleanup();
  }
});
