import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliProcess } from '../helpers/cli.js';
import { eventually } from '../helpers/wait.js';
import { prometheusBinary, startPrometheus } from '../helpers/prometheus.js';
import { findTool, runTool } from '../helpers/promtool.js';
import { startHttpServer, type HttpTestServer } from '../helpers/servers.js';

let target: HttpTestServer;
let dir: string;

before(async () => {
  target = await startHttpServer((req, res) => {
    if (req.url === '/slow') setTimeout(() => res.writeHead(200).end('late'), 3_000);
    else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  dir = mkdtempSync(join(tmpdir(), 'canary-e2e-'));
});
after(async () => {
  await target.close();
  rmSync(dir, { recursive: true, force: true });
});

function writeConfig(name: string, checks: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      'agent: { region: e2e-1, labels: { team: sre } }',
      'server: { listen: 127.0.0.1:0 }',
      'probes: { defaults: { interval: 500ms, timeout: 400ms } }',
      'checks:',
      checks,
    ].join('\n'),
  );
  return file;
}

test('run: /metrics, /healthz and /readyz answer, and the metrics pass promtool check metrics', async (t) => {
  const config = writeConfig('metrics', `  - { name: e2e-up, kind: http, target: "${target.origin}/" }`);
  const agent = new CliProcess(['run', '--config', config]);
  t.after(() => agent.kill());
  const url = await agent.url();
  const body = await eventually(
    async () => {
      const text = await (await fetch(`${url}metrics`)).text();
      return /probe_success\{[^}]*check="e2e-up"[^}]*\} 1/.test(text) ? text : undefined;
    },
    15_000,
    'probe_success 1 on /metrics',
  );
  assert.match(body, /canary_agent_info\{[^}]*version="[^"]+"/);
  assert.match(
    body,
    /canary_probe_runs_total\{result="success",reason="",check="e2e-up",kind="http",region="e2e-1",team="sre"\} [1-9]/,
  );
  assert.equal((await fetch(`${url}healthz`)).status, 200);
  assert.equal((await fetch(`${url}readyz`)).status, 200);

  const promtool = findTool('promtool');
  if (!promtool) {
    t.skip('promtool not found in PATH (apt-get install prometheus); .ci/run installs it');
    return;
  }
  const lint = await runTool(promtool, ['check', 'metrics'], body);
  assert.equal(lint.code, 0, lint.stdout + lint.stderr);
  assert.equal((lint.stdout + lint.stderr).trim(), '');
});

test('run: a real Prometheus scraping the agent sees probe_success == 1', async (t) => {
  if (!prometheusBinary()) {
    t.skip('prometheus not found in PATH (apt-get install prometheus); .ci/run installs it');
    return;
  }
  const config = writeConfig('prometheus', `  - { name: e2e-scraped, kind: http, target: "${target.origin}/" }`);
  const agent = new CliProcess(['run', '--config', config]);
  t.after(() => agent.kill());
  const url = new URL(await agent.url());
  const prometheus = await startPrometheus([url.host]);
  t.after(() => prometheus.stop());
  const sample = await eventually(
    async () => (await prometheus.query('probe_success{check="e2e-scraped"} == 1'))[0],
    30_000,
    'prometheus to see probe_success == 1',
  );
  assert.equal(sample.metric.region, 'e2e-1');
  assert.equal(sample.metric.kind, 'http');
  assert.equal(sample.value[1], '1');
});

test('run: SIGTERM with a probe in flight stops cleanly, exit 0, well within 10 s', async (t) => {
  const config = writeConfig(
    'shutdown',
    [
      `  - { name: e2e-slow, kind: http, target: "${target.origin}/slow", interval: 10s, timeout: 5s }`,
      `  - { name: e2e-fast, kind: http, target: "${target.origin}/" }`,
    ].join('\n'),
  );
  const agent = new CliProcess(['run', '--config', config]);
  t.after(() => agent.kill());
  await agent.url();
  // Wait until the slow check is really in flight at the target.
  await eventually(
    () => Promise.resolve(target.requests.some((r) => r.url === '/slow') ? true : undefined),
    15_000,
    'slow probe in flight',
  );
  const sent = Date.now();
  agent.child.kill('SIGTERM');
  const { code } = await agent.exited;
  const took = Date.now() - sent;
  assert.equal(code, 0, agent.stderr);
  assert.ok(took < 10_000, `shutdown took ${took} ms`);
  const messages = agent.logs().map((l) => l.msg);
  assert.ok(
    messages.includes('stop signal received') && messages.indexOf('agent stopped') > messages.indexOf('agent stopping'),
    messages.join(', '),
  );
});

test('run: an invalid config exits 2 before listening', async () => {
  const agent = new CliProcess(['run', '--config', 'test/fixtures/config/invalid/unknown-key.yaml']);
  const { code } = await agent.exited;
  assert.equal(code, 2);
  assert.match(agent.stderr, /unknown-key\.yaml:3:3: agent\.colour: unknown key/);
});

test('run: a port already in use exits 1 with a clear message', async (t) => {
  const first = new CliProcess([
    'run',
    '--config',
    writeConfig('port-a', `  - { name: a, kind: http, target: "${target.origin}/" }`),
  ]);
  t.after(() => first.kill());
  const taken = new URL(await first.url()).host;
  const second = new CliProcess([
    'run',
    '--config',
    writeConfig('port-b', `  - { name: b, kind: http, target: "${target.origin}/" }`),
    '--listen',
    taken,
  ]);
  const { code } = await second.exited;
  assert.equal(code, 1);
  assert.match(second.stderr, new RegExp(`canary: .*${taken.replace(/[.[\]]/g, '\\$&')}`));
});
