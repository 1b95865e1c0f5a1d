/**
 * The web config as users give it: `canary run --web.config.file` (relative to the working
 * directory, winning over `server.webConfig`), and a broken one refused by `run` and
 * reported by `validate` with FILE:LINE:COL, exit 2.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import bcrypt from 'bcryptjs';
import { CliProcess, runCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/paths.js';

let dir: string;
let config: string;
const BROKEN = 'basic_auth_users:\n  prom: not-a-hash\n';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'canary-e2e-web-'));
  config = join(dir, 'agent.yaml');
  writeFileSync(config, 'server: { listen: "127.0.0.1:0", webConfig: broken.yml }\n');
  writeFileSync(join(dir, 'broken.yml'), BROKEN);
  writeFileSync(join(dir, 'web.yml'), `basic_auth_users:\n  prom: "${bcrypt.hashSync('s3cret', 4)}"\n`);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('run --web.config.file: the flag wins over server.webConfig and basic auth guards the server', async (t) => {
  // Relative to the working directory (the CLI runs from the repository root).
  const agent = new CliProcess([
    'run',
    '--config',
    config,
    '--web.config.file',
    relative(repoRoot, join(dir, 'web.yml')),
  ]);
  t.after(() => agent.kill());
  const url = await agent.url();
  assert.equal((await fetch(`${url}metrics`)).status, 401);
  const credentials = `Basic ${Buffer.from('prom:s3cret').toString('base64')}`;
  assert.equal((await fetch(`${url}metrics`, { headers: { authorization: credentials } })).status, 200);
});

test('run: a broken web config stops the start with its problem, exit 2', async () => {
  const run = await runCli(['run', '--config', config]);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /broken\.yml:2:9: basic_auth_users\.prom: must be a bcrypt hash/);
});

test('validate: the web config is validated with the agent config', async () => {
  const run = await runCli(['validate', '--config', config]);
  assert.equal(run.code, 2, run.stdout + run.stderr);
  assert.match(run.stderr, /broken\.yml:2:9: basic_auth_users\.prom: must be a bcrypt hash/);
});
