/**
 * `canary status` against an agent started as users start it (`canary run`): the plain
 * table, --json, filters, the agent's address from --config, a bad flag and an agent that
 * cannot be reached.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliProcess, runCli } from '../helpers/cli.js';
import { closedPort, startHttpServer, type HttpTestServer } from '../helpers/servers.js';
import { eventually } from '../helpers/wait.js';

let target: HttpTestServer;
let dir: string;
let config: string;
let agent: CliProcess;
let url: string;

before(async () => {
  target = await startHttpServer((_req, res) => res.end('ok'));
  dir = mkdtempSync(join(tmpdir(), 'canary-e2e-status-'));
  const [listen, refused] = [await closedPort(), await closedPort()];
  config = join(dir, 'agent.yaml');
  writeFileSync(
    config,
    [
      'agent: { region: e2e-1 }',
      `server: { listen: 127.0.0.1:${listen} }`,
      'probes: { defaults: { interval: 300ms, timeout: 250ms } }',
      `chaos: { stateDir: ${JSON.stringify(join(dir, 'state'))} }`,
      'checks:',
      `  - { name: front, kind: http, target: "${target.origin}/", labels: { team: web } }`,
      `  - { name: db, kind: tcp, target: "127.0.0.1:${refused}", labels: { team: data } }`,
    ].join('\n'),
  );
  agent = new CliProcess(['run', '--config', config]);
  url = (await agent.url()).replace(/\/$/, '');
  await eventually(
    async () => {
      const answer = (await (await fetch(`${url}/api/v1/checks`)).json()) as { counts: { up: number; down: number } };
      return answer.counts.up === 1 && answer.counts.down === 1 ? true : undefined;
    },
    15_000,
    'one check up and one down',
  );
});

after(async () => {
  await agent?.kill();
  await target?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('plain text: a row per check, down first, the reason in words, the chaos line, no colour codes', async () => {
  const run = await runCli(['status', '--config', config]);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.split('\n');
  assert.match(lines[0] ?? '', /region e2e-1, at http:\/\/127\.0\.0\.1:\d+: 1 up, 1 down/);
  const header = lines.findIndex((l) => l.startsWith('STATE'));
  assert.match(lines[header] ?? '', /^STATE\s+NAME\s+KIND\s+SUCCESS\s+P95\s+LAST RUN\s+REASON$/);
  assert.match(lines[header + 1] ?? '', /^down\s+db\s+tcp\s+0%\s+\S+ms\s+\d+s ago\s+connection refused$/);
  assert.match(lines[header + 2] ?? '', /^up\s+front\s+http\s+100%\s+\S+ms\s+\d+s ago$/);
  assert.match(run.stdout, /^chaos: scheduled runs off; not halted; no run in progress$/m);
  assert.ok(!run.stdout.includes('\x1b['), 'no escape codes when not a terminal');
});

test('--json prints the API answer; filters narrow it', async () => {
  const run = await runCli(['status', '--url', url, '--json', '--label', 'team=web']);
  assert.equal(run.code, 0, run.stderr);
  const answer = JSON.parse(run.stdout) as { total: number; checks: { name: string; state: string }[] };
  assert.deepEqual(
    answer.checks.map((c) => [c.name, c.state]),
    [['front', 'up']],
  );
  const down = await runCli(['status', '--url', url, '--state', 'down', '-q', 'D']);
  assert.match(down.stdout, /^down\s+db\s/m);
  assert.doesNotMatch(down.stdout, /front/);
});

test('--watch redraws until Ctrl-C, then exits 0', async (t) => {
  const watching = new CliProcess(['status', '--url', url, '--watch']);
  t.after(() => watching.kill());
  await eventually(
    () => (watching.lines.filter((l) => l.startsWith('STATE')).length >= 2 ? true : undefined),
    15_000,
    'two draws',
  );
  watching.child.kill('SIGINT');
  const { code } = await watching.exited;
  assert.equal(code, 0, watching.stderr);
  assert.ok(watching.lines.some((l) => l.includes('Ctrl-C to stop')));
});

test('a bad flag exits 2 before asking the agent', async () => {
  const run = await runCli(['status', '--url', 'http://127.0.0.1:9', '--state', 'sideways']);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /--state sideways: must be one of/);
});

test('an agent that cannot be reached exits 1 naming the URL and why', async () => {
  const port = await closedPort();
  const run = await runCli(['status', '--url', `http://127.0.0.1:${port}`]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, new RegExp(`cannot reach the agent at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
});
