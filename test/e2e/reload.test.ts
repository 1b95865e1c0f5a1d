import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliProcess } from '../helpers/cli.js';
import { eventually } from '../helpers/wait.js';
import { startHttpServer, type HttpTestServer } from '../helpers/servers.js';

const TOKEN = 'reload-test-token';
const INTERVAL_MS = 1_000;

let target: HttpTestServer;
let dir: string;
/** When each path was requested, epoch ms. */
const seen = new Map<string, number[]>();

before(async () => {
  target = await startHttpServer((req, res) => {
    const path = req.url ?? '';
    seen.set(path, [...(seen.get(path) ?? []), Date.now()]);
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  dir = mkdtempSync(join(tmpdir(), 'canary-reload-'));
});
after(async () => {
  await target.close();
  rmSync(dir, { recursive: true, force: true });
});

function configText(checks: readonly string[], extra: readonly string[] = []): string {
  return [
    ...extra,
    `server: { listen: 127.0.0.1:0, token: ${TOKEN} }`,
    'probes: { seed: 7, defaults: { interval: 1s, timeout: 500ms } }',
    'checks:',
    ...checks.map((name) => `  - { name: ${name}, kind: http, target: "${target.origin}/${name}" }`),
  ].join('\n');
}

async function metrics(url: string): Promise<string> {
  return (await fetch(`${url}metrics`)).text();
}

function runs(body: string, check: string): number {
  const match = new RegExp(
    `canary_probe_runs_total\\{result="success",reason="",check="${check}",kind="http"[^}]*\\} (\\d+)`,
  ).exec(body);
  return match ? Number(match[1]) : 0;
}

function reloadOk(body: string): number | undefined {
  const match = /^canary_config_last_reload_successful(?:\{[^}]*\})? (\d)$/m.exec(body);
  return match ? Number(match[1]) : undefined;
}

test('reload: SIGHUP, POST /-/reload and the file watch swap the config; an invalid one changes nothing', async (t) => {
  const file = join(dir, 'agent.yaml');
  writeFileSync(file, configText(['steady']));
  const agent = new CliProcess(['run', '--config', file]);
  t.after(() => agent.kill());
  const url = await agent.url();
  await eventually(
    async () => (runs(await metrics(url), 'steady') >= 2 ? true : undefined),
    15_000,
    'two runs of the first check',
  );

  // SIGHUP: an added check appears.
  const reloadedAt = Date.now();
  writeFileSync(file, configText(['steady', 'added']));
  agent.child.kill('SIGHUP');
  await agent.waitForLog((l) => l.msg === 'config reloaded' && l.trigger === 'SIGHUP');
  await eventually(
    async () => (runs(await metrics(url), 'added') >= 1 ? true : undefined),
    15_000,
    'the added check on /metrics',
  );

  // The unchanged check kept its grid: no restart gap, same phase as before the reload.
  await eventually(
    () => Promise.resolve((seen.get('/steady') ?? []).filter((at) => at > reloadedAt).length >= 3 ? true : undefined),
    15_000,
    'runs after the reload',
  );
  const times = seen.get('/steady') ?? [];
  const gaps = times.slice(1).map((at, i) => at - (times[i] as number));
  assert.ok(Math.max(...gaps) < INTERVAL_MS * 1.5, `gaps between runs: ${gaps.join(', ')} ms`);
  const phase = (at: number) => (((at - (times[0] as number)) % INTERVAL_MS) + INTERVAL_MS) % INTERVAL_MS;
  for (const at of times) {
    const off = Math.min(phase(at), INTERVAL_MS - phase(at));
    assert.ok(off < 250, `run at +${at - (times[0] as number)} ms is off the grid by ${off} ms`);
  }

  // An invalid file: 400 with every problem, the gauge at 0, the old checks still probing.
  const broken = [
    '  - { name: broken, kind: http, target: "not a url" }',
    `  - { name: steady, kind: http, target: "${target.origin}/twice" }`,
  ];
  writeFileSync(file, [configText(['steady', 'added']), ...broken].join('\n'));
  assert.equal((await fetch(`${url}-/reload`, { method: 'POST' })).status, 401);
  const response = await fetch(`${url}-/reload`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(response.status, 400);
  const outcome = (await response.json()) as { status: string; problems: string[] };
  assert.equal(outcome.status, 'error');
  assert.ok(outcome.problems.length >= 2, JSON.stringify(outcome));
  for (const problem of outcome.problems) assert.match(problem, /agent\.yaml:[67]:\d+: checks\[[23]\]\./);
  const before = await metrics(url);
  assert.equal(reloadOk(before), 0);
  await eventually(
    async () =>
      runs(await metrics(url), 'steady') > runs(before, 'steady') &&
      runs(await metrics(url), 'added') > runs(before, 'added')
        ? true
        : undefined,
    15_000,
    'the old checks to keep probing',
  );
  assert.ok(
    agent
      .logs()
      .some((l) => l.msg === 'config reload failed: the previous config keeps running' && l.trigger === 'http'),
  );

  // The file watch, no signal: a removed check leaves /metrics, a new one arrives.
  // A restart-only setting changed with it is logged and left as it runs.
  writeFileSync(file, configText(['steady', 'watched'], ['agent: { region: elsewhere }']));
  await agent.waitForLog((l) => l.msg === 'config reloaded' && l.trigger === 'watch');
  const restart = await agent.waitForLog((l) => Array.isArray(l.needsRestart));
  assert.deepEqual(restart.needsRestart, ['agent']);
  const after = await eventually(
    async () => {
      const body = await metrics(url);
      return runs(body, 'watched') >= 1 && !body.includes('check="added"') ? body : undefined;
    },
    15_000,
    'the watched change on /metrics',
  );
  assert.equal(reloadOk(after), 1);
  assert.match(after, /canary_probe_runs_total\{[^}]*check="watched",[^}]*region="local"/);
  assert.match(after, /^canary_config_last_reload_success_timestamp_seconds(\{[^}]*\})? \d/m);

  agent.child.kill('SIGTERM');
  assert.equal((await agent.exited).code, 0);
});
