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
  assert.equal(lines[1], 'test/fixtures/config/invalid/many-problems.yaml:2:3: agent.colour: unknown key "colour"');
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
      message: 'unknown key "colour"',
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

test('validate: every problem of a file at once, each in plain words with a way out, exit 2', async () => {
  const run = await runCli(['validate', '--config', 'test/fixtures/config/invalid/unknown-kind-suggestion.yaml']);
  assert.equal(run.code, 2, run.stderr);
  assert.equal(run.stdout, '');
  const file = 'test/fixtures/config/invalid/unknown-kind-suggestion.yaml';
  assert.equal(
    run.stderr,
    [
      'canary: invalid configuration (4 problems):',
      `${file}:1:1: colur: unknown key "colur"`,
      `${file}:4:11: checks[0].kind: unknown kind "htp" (did you mean "http"?)`,
      `${file}:6:5: checks[0].intreval: unknown key "intreval" (did you mean "interval"?)`,
      `${file}:10:15: checks[1].interval: must be a duration with a unit, such as 500ms, 30s, 5m, 1h or 14d`,
      '',
    ].join('\n'),
  );
});

test('validate: a YAML syntax error is placed, in plain words, with its line and a caret, exit 2', async () => {
  const run = await runCli(['validate', '--config', 'test/fixtures/config/invalid/syntax.yaml']);
  assert.equal(run.code, 2, run.stderr);
  assert.equal(
    run.stderr,
    [
      'canary: invalid configuration (1 problem):',
      'test/fixtures/config/invalid/syntax.yaml:3:4: this line is indented more than the key above it, so it reads as part of that value',
      '  3 |    datacenter: dc1',
      '    |    ^',
      '',
    ].join('\n'),
  );
});
