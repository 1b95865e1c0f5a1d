/**
 * `--log-format`: pretty lines for people, JSON for pipelines; pretty by default on a
 * terminal (a pseudo-terminal from util-linux `script`), JSON through a pipe; secrets gone
 * from both.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliProcess } from '../helpers/cli.js';
import { cliPath } from '../helpers/paths.js';
import { closedPort } from '../helpers/servers.js';
import { eventually } from '../helpers/wait.js';

const SECRET = 'pretty-sentinel-7781';
const dir = mkdtempSync(join(tmpdir(), 'canary-log-format-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function config(): Promise<string> {
  const file = join(dir, `agent-${Math.random().toString(16).slice(2)}.yaml`);
  const port = await closedPort();
  writeFileSync(
    file,
    [
      'server: { listen: "127.0.0.1:0" }',
      'checks:',
      `  - { name: db, kind: http, target: "http://u:\${DB_PASSWORD}@127.0.0.1:${port}/", interval: 1s }`,
    ].join('\n'),
  );
  return file;
}

test('--log-format pretty: a readable line per state change, a first failure at WARN, no secret', async () => {
  const agent = new CliProcess(['run', '--config', await config(), '--log-format', 'pretty'], { DB_PASSWORD: SECRET });
  try {
    const line = await eventually(() => agent.lines.find((l) => l.includes('check is down')), 20_000, 'the down line');
    assert.match(line, /^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: check is down \{.*"check":"db".*"reason":"refused"/);
    assert.ok(!line.startsWith('{'), 'not JSON');
    assert.ok(
      agent.lines.every((l) => !l.includes(SECRET)),
      'the password never shows',
    );
  } finally {
    agent.child.kill('SIGTERM');
    await agent.exited;
  }
});

test('--log-format json (the default through a pipe): one JSON object per line, level as a word', async () => {
  const agent = new CliProcess(['run', '--config', await config()], { DB_PASSWORD: SECRET });
  try {
    const line = await eventually(() => agent.lines.find((l) => l.includes('check is down')), 20_000, 'the down line');
    const parsed = JSON.parse(line) as { level: string; check: string };
    assert.equal(parsed.level, 'warn');
    assert.equal(parsed.check, 'db');
    assert.ok(agent.lines.every((l) => !l.includes(SECRET)));
  } finally {
    agent.child.kill('SIGTERM');
    await agent.exited;
  }
});

test(
  'on a terminal the default is pretty',
  { skip: existsSync('/usr/bin/script') ? false : 'util-linux `script` is not installed (Debian package bsdutils)' },
  async () => {
    const file = await config();
    // `script` gives the agent a pseudo-terminal as stdout; `timeout` ends it after its first lines.
    const command = `DB_PASSWORD=${SECRET} timeout -s INT 6 ${process.execPath} ${cliPath} run --config ${file}`;
    const run = spawnSync('script', ['-q', '-e', '-c', command, '/dev/null'], { encoding: 'utf8', timeout: 30_000 });
    assert.match(run.stdout, /WARN.*check is down/);
    assert.doesNotMatch(run.stdout, /^\{"level"/m);
    assert.ok(!run.stdout.includes(SECRET));
  },
);
