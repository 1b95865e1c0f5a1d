/** Chaos inside `canary run`: recovery at start, scheduled runs, the control API, metrics. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CliProcess, runCli } from '../helpers/cli.js';
import { eventually } from '../helpers/wait.js';
import { isStopped, startChaosLab, victimTargets, killRunnerAfterFirstFault } from '../helpers/chaos.js';
import { sampleValue } from '../helpers/agent.js';
import { startHttpServer } from '../helpers/servers.js';

test('canary run reverts what a killed runner left behind, before anything else', async () => {
  const lab = await startChaosLab(1);
  try {
    const config = lab.writeConfig([]);
    const file = lab.writeExperiment(
      'left',
      [
        'name: left-behind',
        victimTargets(lab.victims),
        'blastRadius: { maxInstances: 1 }',
        'method:',
        '  - { action: process, target: v1, signal: SIGSTOP }',
        '  - { pause: 60s }',
      ].join('\n'),
    );
    await killRunnerAfterFirstFault(lab, file, config);
    assert.ok(isStopped(lab.victims[0]!));
    const agent = new CliProcess(['run', '--config', config]);
    try {
      await agent.waitForLog((l) => l.msg === 'unfinished chaos run recovered at start');
      assert.equal(isStopped(lab.victims[0]!), false);
      assert.equal(lab.journals()[0]?.status, 'interrupted');
    } finally {
      agent.child.kill('SIGTERM');
      await agent.exited;
    }
  } finally {
    await lab.cleanup();
  }
});

test('a SIGHUP while the agent is still starting (recovering a journal) does not end it; the reload follows the start', async () => {
  // The revert of the left-behind fault waits until the test lets it go: the agent is held inside its start.
  let release = (): void => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  let reverts = 0;
  const api = await startHttpServer((req, res) => {
    if (req.method === 'DELETE') {
      reverts++;
      void held.then(() => res.writeHead(200).end('ok'));
    } else res.writeHead(200).end('ok');
  });
  const lab = await startChaosLab(1);
  try {
    const config = lab.writeConfig([]);
    const file = lab.writeExperiment(
      'held',
      [
        'name: held-revert',
        'blastRadius: { maxInstances: 1 }',
        'method:',
        `  - { action: http, method: POST, url: "${api.origin}/fault", revert: { method: DELETE, url: "${api.origin}/fault" } }`,
        '  - { pause: 60s }',
      ].join('\n'),
    );
    await killRunnerAfterFirstFault(lab, file, config);
    const agent = new CliProcess(['run', '--config', config]);
    try {
      await eventually(
        () => Promise.resolve(reverts > 0 ? true : undefined),
        15_000,
        'the recovery at start reverting the fault',
      );
      agent.child.kill('SIGHUP');
      await agent.waitForLog((l) => l.msg === 'reload signal received' && l.started === false);
      assert.equal(agent.child.exitCode, null, 'the agent is still running');
      release();
      await agent.waitForLog((l) => l.msg === 'config reloaded' && l.trigger === 'SIGHUP');
      assert.equal(lab.journals()[0]?.faults[0]?.status, 'reverted');
    } finally {
      release();
      agent.child.kill('SIGTERM');
      await agent.exited;
    }
  } finally {
    await lab.cleanup();
    await api.close();
  }
});

test('scheduled experiments run only with chaos.enabled and --enable-chaos, and show in the metrics', async () => {
  const lab = await startChaosLab(1);
  try {
    const config = lab.writeConfig([
      `{ name: web, kind: http, target: "${lab.victims[0]?.url}/", interval: 200ms, timeout: 200ms }`,
    ]);
    lab.writeExperiment(
      'sched',
      [
        'name: every-second',
        victimTargets(lab.victims),
        'steadyState: [ { check: web, successRatio: ">= 0.5", window: 5s, minSamples: 2 } ]',
        'blastRadius: { maxInstances: 1 }',
        'method:',
        '  - { action: process, target: v1, signal: SIGSTOP }',
        '  - { pause: 200ms }',
        'recoveryTimeout: 10s',
        'schedule: { cron: "* * * * * *", minGap: 1h }',
      ].join('\n'),
    );
    const without = new CliProcess(['run', '--config', config]);
    try {
      const url = await without.url();
      // Time passes on purpose: two cron ticks at least, in which no run may start.
      await new Promise((r) => setTimeout(r, 2_500));
      assert.equal(lab.journals().length, 0, 'no run without --enable-chaos');
      const text = await (await fetch(new URL(`/metrics`, url))).text();
      assert.equal(sampleValue(text, 'canary_chaos_halted'), 0);
    } finally {
      without.child.kill('SIGTERM');
      await without.exited;
    }

    const agent = new CliProcess(['run', '--config', config, '--enable-chaos']);
    try {
      const url = await agent.url();
      await eventually(
        () => Promise.resolve(lab.journals()[0]?.status === 'completed' ? true : undefined),
        20_000,
        'a completed scheduled run',
      );
      const heldBack = (l: Record<string, unknown>) =>
        l.msg === 'scheduled chaos run skipped' &&
        typeof l.why === 'string' &&
        l.why.startsWith('minimum gap not reached');
      await eventually(
        () => (agent.logs().filter(heldBack).length >= 2 ? true : undefined),
        10_000,
        'two later ticks skipped for the minimum gap',
      );
      assert.equal(lab.journals().length, 1, 'the minimum gap holds the next ticks back');
      const text = await (await fetch(new URL(`/metrics`, url))).text();
      assert.equal(
        sampleValue(text, 'canary_chaos_runs_total', { experiment: 'every-second', status: 'completed' }),
        1,
      );
      assert.equal(sampleValue(text, 'canary_chaos_active', { experiment: 'every-second' }), 0);
      assert.equal(isStopped(lab.victims[0]!), false);
    } finally {
      agent.child.kill('SIGTERM');
      await agent.exited;
    }
  } finally {
    await lab.cleanup();
  }
});

test('the control API halts and resumes with the bearer token only', async () => {
  const lab = await startChaosLab(0);
  try {
    const config = lab.writeConfig([], { extra: ['# token for the control API'] });
    // server.token is set through the environment, as an operator would.
    const { writeFileSync, readFileSync } = await import('node:fs');
    writeFileSync(
      config,
      readFileSync(config, 'utf8').replace(
        'server: { listen: 127.0.0.1:0 }',
        'server: { listen: 127.0.0.1:0, token: "${TEST_TOKEN}" }',
      ),
    );
    const agent = new CliProcess(['run', '--config', config], { TEST_TOKEN: 's3cret' });
    try {
      const url = await agent.url();
      assert.equal((await fetch(new URL(`/-/chaos/halt`, url), { method: 'POST' })).status, 401);
      assert.equal(
        (await fetch(new URL(`/-/chaos/halt`, url), { method: 'POST', headers: { authorization: 'Bearer wrong!' } }))
          .status,
        401,
      );
      assert.equal(existsSync(join(lab.stateDir, 'HALT')), false);
      const auth = { authorization: 'Bearer s3cret' };
      const halted = await fetch(new URL(`/-/chaos/halt?operator=pager&reason=incident`, url), {
        method: 'POST',
        headers: auth,
      });
      assert.equal(halted.status, 200);
      assert.equal(existsSync(join(lab.stateDir, 'HALT')), true);
      const status = (await (await fetch(new URL(`/-/chaos/status`, url), { headers: auth })).json()) as {
        halted: { operator: string } | null;
      };
      assert.equal(status.halted?.operator, 'api:pager');
      const text = await (await fetch(new URL(`/metrics`, url))).text();
      assert.equal(sampleValue(text, 'canary_chaos_halted'), 1);
      assert.equal((await fetch(new URL(`/-/chaos/resume`, url), { method: 'POST', headers: auth })).status, 200);
      assert.equal(existsSync(join(lab.stateDir, 'HALT')), false);
      const verify = await runCli(['chaos', 'audit', 'verify', '--config', config, '--json'], {
        env: { TEST_TOKEN: 's3cret' },
      });
      assert.equal(verify.code, 0, verify.stderr);
      assert.equal((JSON.parse(verify.stdout) as { lines: number }).lines, 2, 'halt and resume audited');
    } finally {
      agent.child.kill('SIGTERM');
      await agent.exited;
    }
  } finally {
    await lab.cleanup();
  }
});
