/**
 * The container image. No engine runs here, so the Dockerfile is read for its structure,
 * its default config is loaded as the image would, and its HEALTHCHECK command is run
 * against a real server on 127.0.0.1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { agentConfigSchema } from '../../src/config/schema/agent.js';
import { parseDockerfile } from '../helpers/dockerfile.js';
import { repoRoot } from '../helpers/paths.js';
import { AGENT_NODE_FLAGS } from '../../src/cli/node-flags.js';

const dockerfile = parseDockerfile(readFileSync(join(repoRoot, 'deploy', 'container', 'Dockerfile'), 'utf8'));
const stages = dockerfile.filter((i) => i.op === 'FROM');
const runtime = dockerfile.filter((i) => i.stage === stages.length - 1);
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { bin: { canary: string } };

/** The arguments of the one instruction `op` of the runtime stage. */
function only(op: string): string {
  const found = runtime.filter((i) => i.op === op);
  assert.equal(found.length, 1, `one ${op} in the runtime stage`);
  return found[0]!.args;
}

function portOf(listen: string): number {
  return Number(listen.slice(listen.lastIndexOf(':') + 1));
}

test('the image is built in stages from node:24-bookworm-slim, with dev dependencies left behind', () => {
  assert.ok(stages.length >= 2, 'multi-stage');
  for (const from of stages) assert.match(from.args, /^node:24-bookworm-slim(@sha256:[0-9a-f]{64})? AS \w+$/i);
  const runs = dockerfile.filter((i) => i.op === 'RUN').map((i) => i.args);
  assert.ok(
    runs.some((r) => /^npm ci\b/.test(r) && !r.includes('--omit=dev')),
    'a full npm ci to build',
  );
  assert.ok(runs.includes('npm run build'));
  const copies = runtime.filter((i) => i.op === 'COPY' && i.args.startsWith('--from=')).map((i) => i.args);
  const depsStage = /--from=(\S+) \/app\/node_modules/.exec(copies.join('\n'))?.[1];
  const deps = dockerfile.filter((i) => i.stage === stages.findIndex((s) => s.args.endsWith(` ${depsStage}`)));
  assert.ok(
    deps.some((i) => i.op === 'RUN' && i.args.includes('npm ci --omit=dev')),
    'node_modules without dev dependencies',
  );
  assert.ok(
    copies.some((c) => / \/app\/dist\/src \.\/dist\/src$/.test(c)),
    'only dist/src of the build ships',
  );
});

test('the runtime runs as a numeric non-root user and starts the package bin on /etc/canary/agent.yaml', () => {
  const [uid] = only('USER').split(':');
  assert.match(uid ?? '', /^\d+$/, 'numeric uid (runAsNonRoot can only check numbers)');
  assert.notEqual(Number(uid), 0);
  assert.equal(only('WORKDIR'), '/app');
  assert.deepEqual(JSON.parse(only('ENTRYPOINT')), ['node', ...AGENT_NODE_FLAGS, `/app/${pkg.bin.canary}`]);
  assert.deepEqual(JSON.parse(only('CMD')), ['run', '--config', '/etc/canary/agent.yaml']);
  assert.equal(only('STOPSIGNAL'), 'SIGTERM');
  const stateDir = runtime.find((i) => i.op === 'RUN' && i.args.includes('/var/lib/canary'))?.args ?? '';
  assert.match(stateDir, new RegExp(`-o ${uid} `), 'the chaos state dir belongs to the runtime user');
});

test('EXPOSE and HEALTHCHECK use the port the image config listens on', async () => {
  const config = await loadImageConfig();
  const port = portOf(config.server.listen);
  assert.equal(port, portOf(agentConfigSchema.parse({}).server.listen), 'the documented default port');
  assert.equal(only('EXPOSE'), String(port));
  const check = only('HEALTHCHECK');
  assert.match(check, new RegExp(`http://127\\.0\\.0\\.1:${port}/healthz`));
  assert.doesNotMatch(check, /\b(curl|wget)\b/, 'the slim image has neither');
});

test('every file COPY takes from the context exists and is not excluded by .dockerignore', () => {
  const ignored = readFileSync(join(repoRoot, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  for (const required of ['node_modules', 'dist', '.git'])
    assert.ok(ignored.includes(required), `.dockerignore has ${required}`);
  const sources = dockerfile
    .filter((i) => i.op === 'COPY' && !i.args.startsWith('--'))
    .flatMap((i) => i.args.split(' ').slice(0, -1));
  assert.ok(sources.length > 0);
  for (const source of sources) {
    assert.ok(existsSync(join(repoRoot, source)), `${source} exists`);
    assert.ok(!ignored.some((p) => source === p || source.startsWith(`${p}/`)), `${source} is in the build context`);
  }
});

/** The image's /etc/canary: deploy/container/agent.yaml plus the repository's probes, with the image's ENV. */
async function loadImageConfig(env: Record<string, string> = { CANARY_REGION: 'us-east-1' }) {
  const dir = mkdtempSync(join(tmpdir(), 'canary-image-'));
  try {
    copyFileSync(join(repoRoot, 'deploy', 'container', 'agent.yaml'), join(dir, 'agent.yaml'));
    cpSync(join(repoRoot, 'probes'), join(dir, 'probes'), { recursive: true });
    const imageEnv: Record<string, string> = Object.fromEntries(
      [...only('ENV').matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]] as [string, string]),
    );
    return await loadConfig(join(dir, 'agent.yaml'), { env: { ...imageEnv, ...env } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the image config needs a region and keeps chaos state in the dir the image prepares', async () => {
  const config = await loadImageConfig();
  assert.equal(config.agent.region, 'us-east-1');
  assert.equal(config.chaos.stateDir, '/var/lib/canary/chaos');
  assert.ok(config.checks.length > 0);
  await assert.rejects(loadImageConfig({}), /CANARY_REGION is not set/);
});

/** Runs the HEALTHCHECK command against `port` instead of the image's; resolves its exit code. */
function runHealthcheck(port: number): Promise<number> {
  const argv = JSON.parse(only('HEALTHCHECK').replace(/^.*?CMD /, '')) as string[];
  assert.equal(argv[0], 'node');
  const script = argv.slice(1).map((a) => a.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${port}`));
  return new Promise((resolve) => {
    execFile(process.execPath, script, { timeout: 20_000 }, (err) => resolve(err ? Number(err.code ?? 1) : 0));
  });
}

async function serve(status: number): Promise<Server> {
  const server = createServer((req, res) => res.writeHead(req.url === '/healthz' ? status : 404).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

test('the HEALTHCHECK passes on a 200 from /healthz and fails on a 503 or a closed port', async () => {
  for (const [status, expected] of [
    [200, 0],
    [503, 1],
  ] as const) {
    const server = await serve(status);
    try {
      assert.equal(await runHealthcheck((server.address() as AddressInfo).port), expected, `status ${status}`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }
  const closed = await serve(200);
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  assert.equal(await runHealthcheck(port), 1);
});
