/**
 * Which config a command reads when not given `--config`, and that it says so: the
 * default config/agent.yaml, or for `chaos run` and `chaos validate` the config the
 * experiment names in `config:` (relative to the experiment file). One line on stderr;
 * stdout, `--json` included, is unchanged; nothing is said when `--config` is given.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { copyOfRepo } from '../helpers/paths.js';

const work = copyOfRepo('canary-config-choice-');
after(() => rmSync(work, { recursive: true, force: true }));

const canary = (...args: string[]) => runCli(args, { cwd: work });
const DEFAULT_LINE = 'canary: config: config/agent.yaml (the default; --config to choose another)';

/** A config with one check `web`, and an experiment elsewhere naming it relative to itself. */
function writeOwnPair(): void {
  mkdirSync(join(work, 'team', 'config'), { recursive: true });
  mkdirSync(join(work, 'team', 'experiments'), { recursive: true });
  writeFileSync(
    join(work, 'team', 'config', 'agent.yaml'),
    'checks:\n  - { name: web, kind: http, target: "http://127.0.0.1:9/" }\nchaos: { enabled: true, stateDir: ../var }\n',
  );
  writeFileSync(
    join(work, 'team', 'experiments', 'pause.yaml'),
    [
      'name: pause-only',
      'config: ../config/agent.yaml',
      'steadyState: [ { check: web, successRatio: ">= 0.9", window: 10s } ]',
      'blastRadius: { maxInstances: 1 }',
      'method: [ { pause: 1s } ]',
    ].join('\n'),
  );
}

test('without --config, commands name config/agent.yaml on stderr; with it, nothing; stdout stays the same', async () => {
  for (const args of [['validate'], ['chaos', 'list'], ['rules', 'generate'], ['chaos', 'audit', 'verify']]) {
    const run = await canary(...args);
    assert.equal(run.code, 0, `${args.join(' ')}: ${run.stderr}`);
    assert.equal(
      run.stderr
        .split('\n')
        .filter((l) => l.includes('canary: config:'))
        .join('\n'),
      DEFAULT_LINE,
      args.join(' '),
    );
    const given = await canary(...args, '--config', 'config/agent.yaml');
    assert.equal(given.code, 0, given.stderr);
    assert.doesNotMatch(given.stderr, /canary: config:/, args.join(' '));
    assert.equal(given.stdout, run.stdout, `${args.join(' ')}: the same output either way`);
  }
  const json = await canary('validate', '--json');
  assert.equal(
    (JSON.parse(json.stdout) as { file: string }).file,
    'config/agent.yaml',
    '--json stdout is one document',
  );
});

test('chaos validate and chaos run read the config the experiment names, relative to the experiment file', async () => {
  const shipped = await canary('chaos', 'validate', 'chaos/kill-one-backend.yaml');
  assert.equal(shipped.code, 0, shipped.stderr);
  assert.match(
    shipped.stderr,
    /^canary: config: config\/demo\.yaml \(named by chaos\/kill-one-backend\.yaml; --config to choose another\)$/m,
  );
  // The default config has no lab-frontend check: --config still wins, and says nothing.
  const chosen = await canary('chaos', 'validate', 'chaos/kill-one-backend.yaml', '--config', 'config/agent.yaml');
  assert.equal(chosen.code, 2);
  assert.match(chosen.stderr, /chaos\/kill-one-backend\.yaml:\d+:\d+: steadyState\[0\]\.check: check "lab-frontend"/);
  assert.doesNotMatch(chosen.stderr, /canary: config:/);

  writeOwnPair();
  // Two experiments naming two configs: each validated against its own, each config named once.
  const both = await canary('chaos', 'validate', 'team/experiments/pause.yaml', 'chaos/kill-one-backend.yaml');
  assert.equal(both.code, 0, both.stderr);
  assert.deepEqual(
    both.stderr.split('\n').filter((l) => l.startsWith('canary: config:')),
    [
      'canary: config: team/config/agent.yaml (named by team/experiments/pause.yaml; --config to choose another)',
      'canary: config: config/demo.yaml (named by chaos/kill-one-backend.yaml; --config to choose another)',
    ],
  );
  const plan = await canary('chaos', 'run', 'team/experiments/pause.yaml', '--dry-run', '--json');
  assert.equal(plan.code, 0, plan.stderr);
  assert.equal((JSON.parse(plan.stdout) as { ok: boolean }).ok, true, 'the plan is the only thing on stdout');
  assert.match(plan.stderr, /^canary: config: team\/config\/agent\.yaml \(named by team\/experiments\/pause\.yaml;/m);
});

test('a config: that is not a string is reported where it is written; the default config is read meanwhile', async () => {
  const file = join(work, 'chaos', 'bad-config.yaml');
  writeFileSync(file, 'name: bad\nconfig: 5\nblastRadius: { maxInstances: 1 }\nmethod: [ { pause: 1s } ]\n');
  const run = await canary('chaos', 'validate', 'chaos/bad-config.yaml');
  assert.equal(run.code, 2);
  assert.match(run.stderr, /chaos\/bad-config\.yaml:2:9: config: /);
  assert.match(run.stderr, /^canary: config: config\/agent\.yaml \(the default;/m);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
});
