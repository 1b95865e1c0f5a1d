/**
 * `canary init` as a newcomer runs it: the real CLI writes a starter config for a URL or an
 * OpenAPI document (a file, or one served over HTTP), `canary validate` accepts it, and
 * `canary run` on it reports the check up on /metrics.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliProcess, runCli } from '../helpers/cli.js';
import { fixture } from '../helpers/paths.js';
import { startHttpServer, type HttpTestServer } from '../helpers/servers.js';
import { eventually } from '../helpers/wait.js';

const SPEC = fixture('openapi', 'status-api.yaml');

let server: HttpTestServer;
let dir: string;

before(async () => {
  server = await startHttpServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/openapi.yaml')
      res.writeHead(200, { 'content-type': 'application/yaml' }).end(readFileSync(SPEC, 'utf8'));
    else if (path === '/health' || path === '/api/health' || path === '/api/version') res.writeHead(200).end('ok');
    else res.writeHead(404).end();
  });
  dir = mkdtempSync(join(tmpdir(), 'canary-init-'));
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The top-level keys of a written file, each with whether a comment line sits right above it. */
function commentedKeys(text: string): Map<string, boolean> {
  const lines = text.split('\n');
  const keys = new Map<string, boolean>();
  lines.forEach((line, i) => {
    const key = /^([a-z]+):/.exec(line)?.[1];
    if (key !== undefined) keys.set(key, (lines[i - 1] ?? '').startsWith('#'));
  });
  return keys;
}

interface InitJson {
  path: string;
  checks: { name: string; target: string }[];
  skipped: { method: string; path: string }[];
  variables: { name: string; from: string }[];
}

test('init --target without a scheme: a commented config that validates, and canary run reports the check up', async (t) => {
  const file = join(dir, 'target', 'agent.yaml');
  const typed = `127.0.0.1:${server.port}/health`;
  const init = await runCli(['init', '--target', typed, '--out', file, '--interval', '1s']);
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stderr, new RegExp(`no scheme in ${typed}: writing http://${typed}`));
  assert.match(init.stdout, new RegExp(`wrote ${file}: 1 check`));
  const next = init.stdout.slice(init.stdout.indexOf('Next:'));
  assert.match(next, new RegExp(`npx canary validate --config ${file}\\n {2}npx canary run --config ${file}`));

  const text = readFileSync(file, 'utf8');
  assert.match(text, new RegExp(`target: http://${typed}\\n`));
  assert.deepEqual(
    [...commentedKeys(text)],
    ['agent', 'server', 'probes', 'checks', 'chaos', 'exporters'].map((key) => [key, true]),
    'every block, and only these, each under a comment',
  );
  assert.match(text, /^chaos:\n {2}enabled: false$/m);
  assert.match(text, /--enable-chaos/, 'how to turn chaos on');

  const validate = await runCli(['validate', '--config', file]);
  assert.equal(validate.code, 0, validate.stdout + validate.stderr);
  assert.match(validate.stdout, /valid \(1 checks?/);

  const agent = new CliProcess(['run', '--config', file, '--listen', '127.0.0.1:0']);
  t.after(() => agent.kill());
  const url = await agent.url();
  const check = `127.0.0.1:${server.port}-health`;
  await eventually(
    async () => {
      const metrics = await (await fetch(`${url}metrics`)).text();
      return new RegExp(`^probe_success\\{check="${check}"[^}]*\\} 1$`, 'm').test(metrics) ? true : undefined;
    },
    20_000,
    `probe_success 1 for ${check}`,
  );
});

test('init with several --targets --json: a password and a secret query value become ${VAR}s, never shown', async () => {
  const file = join(dir, 'secrets.yaml');
  const password = 'hunter2-in-history';
  const token = 'tok-0123456789';
  const secretTarget = `https://bob:${password}@api.example.com/health?access_token=${token}&page=1`;
  const init = await runCli(['init', '--target', secretTarget, '--target', server.origin, '--out', file, '--json']);
  assert.equal(init.code, 0, init.stderr);
  const shown = JSON.parse(init.stdout) as InitJson;
  assert.equal(shown.path, file);
  assert.deepEqual(
    shown.checks.map((c) => c.name),
    ['api.example.com-health', `127.0.0.1:${server.port}`],
  );
  const variables = shown.variables.map((v) => v.name);
  assert.deepEqual(variables, ['CANARY_API_EXAMPLE_COM_HEALTH_PASSWORD', 'CANARY_API_EXAMPLE_COM_HEALTH_ACCESS_TOKEN']);
  assert.equal(
    shown.checks[0]?.target,
    'https://bob:${CANARY_API_EXAMPLE_COM_HEALTH_PASSWORD}@api.example.com/health?access_token=${CANARY_API_EXAMPLE_COM_HEALTH_ACCESS_TOKEN}&page=1',
  );
  const text = readFileSync(file, 'utf8');
  for (const secret of [password, token]) {
    assert.equal(text.includes(secret), false, 'the file has no secret typed on the command line');
    assert.equal(init.stdout.includes(secret) || init.stderr.includes(secret), false, 'nor the output');
  }
  for (const name of variables) assert.match(text, new RegExp(`^#.*${name}`, 'm'), `the header names ${name}`);

  const unset = await runCli(['validate', '--config', file]);
  assert.equal(unset.code, 2, 'without the variables the file is refused');
  assert.match(unset.stdout + unset.stderr, /CANARY_API_EXAMPLE_COM_HEALTH_PASSWORD/);
  const env = { CANARY_API_EXAMPLE_COM_HEALTH_PASSWORD: password, CANARY_API_EXAMPLE_COM_HEALTH_ACCESS_TOKEN: token };
  const validate = await runCli(['validate', '--config', file], { env });
  assert.equal(validate.code, 0, validate.stdout + validate.stderr);
});

test('init --openapi FILE: a check per safe operation, the others listed with why; the file validates', async () => {
  const file = join(dir, 'openapi-file.yaml');
  const init = await runCli(['init', '--openapi', SPEC, '--base-url', `${server.origin}/api`, '--out', file, '--json']);
  assert.equal(init.code, 0, init.stderr);
  const shown = JSON.parse(init.stdout) as InitJson;
  assert.deepEqual(
    shown.checks.map((c) => [c.name, c.target]),
    [
      ['getHealth', `${server.origin}/api/health`],
      ['getVersion', `${server.origin}/api/version`],
    ],
  );
  assert.deepEqual(
    shown.skipped.map((s) => `${s.method} ${s.path}`),
    ['POST /jobs', 'GET /jobs/{jobId}'],
  );
  const text = readFileSync(file, 'utf8');
  assert.match(text, /^ {2}# GET \/health\n {2}- name: getHealth$/m, 'each check under its operation');
  assert.match(text, /^# {3}POST \/jobs \(createJob\): unsafe method POST$/m);
  const validate = await runCli(['validate', '--config', file]);
  assert.equal(validate.code, 0, validate.stdout + validate.stderr);
});

test('init --openapi URL: the served document, its relative server read against its URL; the file validates', async () => {
  const file = join(dir, 'openapi-url.yaml');
  const token = 'spec-token-0123';
  const init = await runCli(['init', '--openapi', `${server.origin}/openapi.yaml?token=${token}`, '--out', file]);
  assert.equal(init.code, 0, init.stderr);
  assert.equal(init.stdout.includes(token), false, 'the token in the document URL is not shown');
  assert.match(init.stdout, /2 checks/);
  assert.match(init.stdout, /skipped GET \/jobs\/\{jobId\} \(getJob\): unresolvable required parameter jobId/);
  const text = readFileSync(file, 'utf8');
  assert.equal(text.includes(token), false, 'nor written');
  assert.match(text, new RegExp(`target: ${server.origin}/api/health\\n`));
  assert.match(text, new RegExp(`target: ${server.origin}/api/version\\n`));
  const validate = await runCli(['validate', '--config', file]);
  assert.equal(validate.code, 0, validate.stdout + validate.stderr);

  const missing = join(dir, 'missing-spec.yaml');
  const notFound = await runCli(['init', '--openapi', `${server.origin}/nope.yaml`, '--out', missing]);
  assert.equal(notFound.code, 2);
  assert.match(notFound.stderr, /--openapi http:\/\/127\.0\.0\.1:\d+\/nope\.yaml: HTTP 404/);
  assert.equal(existsSync(missing), false, 'nothing written');
});

test('init refuses to overwrite a file without --force (exit 2, file untouched); --force overwrites', async () => {
  const file = join(dir, 'existing.yaml');
  writeFileSync(file, 'keep: me\n');
  const refused = await runCli(['init', '--target', server.origin, '--out', file]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /existing\.yaml exists; nothing was written \(--force overwrites it\)/);
  assert.equal(readFileSync(file, 'utf8'), 'keep: me\n');

  const forced = await runCli(['init', '--target', server.origin, '--out', file, '--force']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(readFileSync(file, 'utf8'), /^checks:$/m);
});

test('init without anything to check, or with bad flags: exit 2 and a message naming the flag; --help has examples', async () => {
  const file = join(dir, 'never.yaml');
  const cases: [string[], RegExp][] = [
    [[], /nothing to check: give --target URL/],
    [['--target', 'ftp://example.com/'], /--target ftp:\/\/example\.com\/: must be an http:\/\/ or https:\/\/ URL/],
    [['--target', server.origin, '--interval', 'often'], /--interval often: /],
    [['--target', server.origin, '--base-url', server.origin], /--base-url: applies to --openapi only/],
  ];
  for (const [args, message] of cases) {
    const run = await runCli(['init', ...args, '--out', file]);
    assert.equal(run.code, 2, args.join(' '));
    assert.match(run.stderr, message);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  }
  assert.equal(existsSync(file), false);

  const help = await runCli(['init', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Examples:\n {2}canary init --target https:\/\/api\.example\.com\/health\n/);
});
