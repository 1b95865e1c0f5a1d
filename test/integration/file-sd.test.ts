import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Agent } from '../../src/agent.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { eventually } from '../helpers/wait.js';
import { startHttpServer, type HttpTestServer } from '../helpers/servers.js';

let target: HttpTestServer;
let dir: string;

before(async () => {
  target = await startHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  dir = mkdtempSync(join(tmpdir(), 'canary-sd-'));
});
after(async () => {
  await target.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Running {
  agent: Agent;
  url: string;
  logs: () => Record<string, unknown>[];
  metrics: () => Promise<string>;
}

/** Starts an in-process agent that watches its files, from `yaml` written into `sub`. */
async function startAgent(sub: string, yaml: string): Promise<Running> {
  const file = join(dir, sub, 'agent.yaml');
  writeFileSync(file, yaml);
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const agent = new Agent(await loadConfig(file), {
    logger: createLogger({ level: 'info', destination }),
    watch: true,
  });
  const { url } = await agent.start();
  return {
    agent,
    url,
    logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    metrics: async () => (await fetch(`${url}metrics`)).text(),
  };
}

function hasCheck(body: string, check: string): boolean {
  return body.includes(`probe_success{check="${check}",`);
}

const port = () => target.port;

test('file_sd: targets added to and removed from the file become and stop being checks', async (t) => {
  mkdirSync(join(dir, 'file', 'sd'), { recursive: true });
  const sdFile = join(dir, 'file', 'sd', 'web.json');
  const write = (groups: unknown) => writeFileSync(sdFile, JSON.stringify(groups));
  write([{ targets: [`127.0.0.1:${port()}`], labels: { app: 'shop', __meta_zone: 'a' } }]);
  const agent = await startAgent(
    'file',
    [
      'server: { listen: 127.0.0.1:0 }',
      'probes:',
      '  discovery:',
      '    - name: web',
      '      fileSd: [sd/*.json]',
      '      template: { kind: http, target: "http://{{address}}/health/{{labels.app}}", interval: 200ms, timeout: 150ms, labels: { team: sre } }',
    ].join('\n'),
  );
  t.after(() => agent.agent.stop());
  const first = `web-127.0.0.1:${port()}`;
  const second = `web-localhost:${port()}`;
  const body = await eventually(
    async () => {
      const text = await agent.metrics();
      return /probe_success\{check="web-127\.0\.0\.1:\d+",[^}]*\} 1/.test(text) ? text : undefined;
    },
    10_000,
    'the discovered check to succeed',
  );
  // The group's labels reach the check (meta labels do not), the template's own stay.
  assert.match(
    body,
    new RegExp(
      `canary_check_info\\{check="${first.replace(/\./g, '\\.')}",kind="http",target="http://127\\.0\\.0\\.1:\\d+/health/shop",app="shop",team="sre"`,
    ),
  );
  assert.ok(target.requests.some((r) => r.url === '/health/shop'));

  write([{ targets: [`127.0.0.1:${port()}`, `localhost:${port()}`], labels: { app: 'shop' } }]);
  await eventually(
    async () => (hasCheck(await agent.metrics(), second) ? true : undefined),
    10_000,
    'the added target as a check',
  );

  write([{ targets: [`localhost:${port()}`], labels: { app: 'shop' } }]);
  const after = await eventually(
    async () => {
      const text = await agent.metrics();
      return !hasCheck(text, first) && hasCheck(text, second) ? text : undefined;
    },
    10_000,
    'the removed target to disappear',
  );
  assert.doesNotMatch(after, new RegExp(`check="${first.replace(/\./g, '\\.')}"`));

  // A broken file is a failed reload: the last checks keep running.
  writeFileSync(sdFile, '[{"targets": ["localhost:1"], "labels": {"app": 3}}]');
  await eventually(
    async () =>
      /^canary_config_last_reload_successful(\{[^}]*\})? 0$/m.test(await agent.metrics()) ? true : undefined,
    10_000,
    'a failed reload',
  );
  const failed = agent.logs().find((l) => l.msg === 'config reload failed: the previous config keeps running');
  assert.ok(failed, 'the failure is logged');
  assert.match(String((failed.problems as string[])[0]), /web\.json:1:\d+: \[0\]\.labels\.app: /);
  assert.ok(hasCheck(await agent.metrics(), second));
});

test('http_sd: targets follow the endpoint; a failing refresh keeps the last good targets', async (t) => {
  let answer: { status: number; body: string } = {
    status: 200,
    body: JSON.stringify([{ targets: [`127.0.0.1:${port()}`], labels: {} }]),
  };
  const sd = await startHttpServer((_req, res) =>
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body),
  );
  t.after(() => sd.close());
  mkdirSync(join(dir, 'http'), { recursive: true });
  const agent = await startAgent(
    'http',
    [
      'server: { listen: 127.0.0.1:0 }',
      'probes:',
      '  discovery:',
      '    - name: api',
      `      httpSd: { url: "${sd.origin}/sd", refreshInterval: 1s }`,
      '      template: { kind: http, target: "http://{{address}}/", interval: 300ms, timeout: 200ms }',
    ].join('\n'),
  );
  t.after(() => agent.agent.stop());
  const first = `api-127.0.0.1:${port()}`;
  const second = `api-localhost:${port()}`;
  await eventually(
    async () => (hasCheck(await agent.metrics(), first) ? true : undefined),
    10_000,
    'the first http_sd target',
  );

  answer = {
    status: 200,
    body: JSON.stringify([{ targets: [`127.0.0.1:${port()}`, `localhost:${port()}`], labels: { env: 'prod' } }]),
  };
  await eventually(
    async () => (hasCheck(await agent.metrics(), second) ? true : undefined),
    10_000,
    'the second http_sd target',
  );

  answer = { status: 500, body: 'down' };
  const seen = sd.requests.length;
  await eventually(
    () => Promise.resolve(sd.requests.length >= seen + 2 ? true : undefined),
    10_000,
    'two failing refreshes',
  );
  const text = await agent.metrics();
  assert.ok(hasCheck(text, first) && hasCheck(text, second), 'both checks are kept');
  assert.ok(
    agent
      .logs()
      .some((l) => l.msg === 'http_sd refresh failed: last good targets kept' && String(l.err).includes('HTTP 500')),
  );

  // An answer whose targets make invalid checks is refused too.
  answer = { status: 200, body: JSON.stringify([{ targets: ['not a host'], labels: {} }]) };
  await eventually(
    () =>
      Promise.resolve(
        agent.logs().some((l) => l.msg === 'discovered targets rejected: last good targets kept') ? true : undefined,
      ),
    10_000,
    'the rejected answer',
  );
  assert.ok(hasCheck(await agent.metrics(), second));

  answer = { status: 200, body: '[]' };
  await eventually(
    async () => {
      const now = await agent.metrics();
      return !hasCheck(now, first) && !hasCheck(now, second) ? true : undefined;
    },
    10_000,
    'an empty answer to remove the checks',
  );
});
