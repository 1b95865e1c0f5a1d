import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';

test('validate: the shipped config is valid, exit 0', async () => {
  const run = await runCli(['validate']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^config\/agent\.yaml: valid \(\d+ checks, 1 probe file\)$/m);
});

test('validate: an invalid config prints every problem with its place and exits 2', async () => {
  const run = await runCli(['validate', '--config', 'test/fixtures/config/invalid/many-problems.yaml']);
  assert.equal(run.code, 2);
  assert.equal(run.stdout, '');
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines[0], 'canary: invalid configuration (4 problems):');
  assert.equal(lines[1], 'test/fixtures/config/invalid/many-problems.yaml:2:3: agent.colour: unknown key');
  assert.equal(lines.length, 5);
});

test('validate: a YAML alias bomb is a positioned problem and exit 2, not a crash', async () => {
  const run = await runCli(['validate', '--config', 'test/fixtures/config/invalid/alias-bomb.yaml']);
  assert.equal(run.code, 2, run.stderr);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines[0], 'canary: invalid configuration (1 problem):');
  assert.match(lines[1] ?? '', /^test\/fixtures\/config\/invalid\/alias-bomb\.yaml:4:8: too many alias expansions: /);
  assert.equal(lines.length, 2);
});

test('validate --json: machine-readable problems', async () => {
  const run = await runCli(['validate', '--json', '--config', 'test/fixtures/config/invalid/unknown-key.yaml']);
  assert.equal(run.code, 2);
  const report = JSON.parse(run.stdout) as {
    valid: boolean;
    problems: { file: string; line: number; col: number; path: string; message: string }[];
  };
  assert.equal(report.valid, false);
  assert.deepEqual(report.problems, [
    {
      file: 'test/fixtures/config/invalid/unknown-key.yaml',
      line: 3,
      col: 3,
      path: 'agent.colour',
      message: 'unknown key',
    },
  ]);
  const ok = await runCli(['validate', '--json']);
  assert.equal(ok.code, 0);
  assert.equal((JSON.parse(ok.stdout) as { valid: boolean }).valid, true);
});

test('bad flags and unknown commands exit 2; --help exits 0 with an example', async () => {
  assert.equal((await runCli(['nope'])).code, 2);
  assert.equal((await runCli(['validate', '--no-such-flag'])).code, 2);
  for (const command of ['run', 'validate', 'probe', 'demo']) {
    const help = await runCli([command, '--help']);
    assert.equal(help.code, 0, command);
    assert.match(help.stdout, /Example/, `${command} --help has an example`);
  }
});
