/** requireErrorBudget from the command line: a standalone run refuses, `chaos list` shows the gate. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import { startChaosLab } from '../helpers/chaos.js';
import { startHttpServer } from '../helpers/servers.js';

test('a standalone run of a requireErrorBudget experiment is refused untouched; chaos list shows the gate', async () => {
  const lab = await startChaosLab(0);
  const fault = await startHttpServer((_req, res) => res.writeHead(200).end('ok'));
  try {
    const config = lab.writeConfig([
      `{ name: api, kind: http, target: "${fault.origin}/", slo: { objective: 99.9%, window: 7d } }`,
    ]);
    const file = lab.writeExperiment(
      'gated',
      [
        'name: gated',
        'blastRadius: { maxInstances: 1 }',
        'method:',
        `  - { action: http, method: POST, url: "${fault.origin}/fault" }`,
        'requireErrorBudget: { slo: api, min: 25% }',
      ].join('\n'),
    );
    const run = await runCli(['chaos', 'run', file, '--config', config]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /requireErrorBudget.*standalone run.*pass --prometheus URL.*nothing was touched/);
    assert.equal(fault.requests.length, 0, 'nothing was touched');
    assert.deepEqual(lab.journals(), []);
    const dry = await runCli(['chaos', 'run', file, '--config', config, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /note: requireErrorBudget: a real standalone run is refused without --prometheus/);
    const badUrl = await runCli(['chaos', 'list', '--config', config, '--prometheus', 'nope']);
    assert.equal(badUrl.code, 2);
    assert.match(badUrl.stderr, /--prometheus: "nope" is not an http:\/\/ or https:\/\/ URL/);

    const list = await runCli(['chaos', 'list', '--config', config]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(
      list.stdout,
      /gated .* needs 25% of "api" error budget \(remaining: only the running agent knows it: canary_chaos_error_budget_remaining\{experiment="gated"\}/,
    );
    assert.match(list.stdout, /^ {2}next: none \(not scheduled: runs only by hand\)$/m);
    const json = await runCli(['chaos', 'list', '--config', config, '--json']);
    const parsed = JSON.parse(json.stdout) as {
      experiments: { requireErrorBudget: unknown; errorBudget: unknown; nextRun: unknown }[];
    };
    assert.deepEqual(parsed.experiments[0]?.nextRun, { at: null, why: 'not scheduled: runs only by hand' });
    assert.deepEqual(parsed.experiments[0]?.requireErrorBudget, { slo: 'api', min: 0.25 });
    assert.deepEqual(parsed.experiments[0]?.errorBudget, {
      remaining: null,
      source: 'agent',
      unknown:
        'only the running agent knows it: canary_chaos_error_budget_remaining{experiment="gated"} in its /metrics',
    });
  } finally {
    await lab.cleanup();
    await fault.close();
  }
});
