/**
 * `canary gate` as a pipeline runs it: a real process, real HTTP servers on 127.0.0.1, exit
 * codes and the JSON report. The process is a small stand-in for the binary (the gate
 * command mounted on a root program with the binary's error handling), so these tests do
 * not depend on the command being registered in src/cli/program.ts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { GateReport } from '../../src/gate/report.js';
import type { CliRun } from '../helpers/cli.js';
import { eventually } from '../helpers/wait.js';
import { repoRoot } from '../helpers/paths.js';
import { startHttpServer, type HttpTestServer } from '../helpers/servers.js';

const dist = (file: string): string => pathToFileURL(resolve(repoRoot, 'dist', 'src', 'cli', file)).href;

/** The binary's handling (src/cli/main.ts, runCli in program.ts) around the gate command alone. */
const HARNESS = `
const { Command } = await import(${JSON.stringify(pathToFileURL(resolve(repoRoot, 'node_modules', 'commander', 'esm.mjs')).href)});
const { gateCommand } = await import(${JSON.stringify(dist('commands/gate.js'))});
const { exitFor, EXIT } = await import(${JSON.stringify(dist('exit.js'))});
const { processIo } = await import(${JSON.stringify(dist('io.js'))});
const io = processIo();
const program = new Command('canary').exitOverride()
  .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
const gate = gateCommand(io);
gate.copyInheritedSettings(program);
program.addCommand(gate);
try {
  await program.parseAsync(process.argv.slice(1), { from: 'user' });
  process.exitCode = io.exitCode;
} catch (err) {
  if (err && typeof err.code === 'string' && err.code.startsWith('commander.')) process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  else { const { code, text } = exitFor(err); io.err(text); process.exitCode = code; }
}
`;

function spawnGate(args: readonly string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--input-type=module', '-e', HARNESS, '--', 'gate', ...args], {
    cwd: repoRoot,
    timeout: 30_000,
  });
}

/** Runs `canary gate ARGS` to completion; `whileRunning` may poke the process (signals). */
function gate(
  args: readonly string[],
  whileRunning?: (child: ChildProcessWithoutNullStreams) => void,
): Promise<CliRun> {
  return new Promise((done, reject) => {
    const child = spawnGate(args);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => done({ code, stdout, stderr }));
    whileRunning?.(child);
  });
}

let server: HttpTestServer;
let dir: string;
let config: string;
let flakyHits = 0;

before(async () => {
  server = await startHttpServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/flaky') res.writeHead(flakyHits++ % 2 === 0 ? 200 : 503).end();
    else if (path === '/slow') setTimeout(() => res.writeHead(200).end('late'), 60);
    else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  dir = mkdtempSync(join(tmpdir(), 'canary-gate-'));
  config = join(dir, 'agent.yaml');
  // Targets point at a closed loopback port: only the --base-url override reaches the server.
  writeFileSync(
    config,
    [
      'agent: { region: gate-e2e }',
      'probes: { defaults: { interval: 10s, timeout: 2s } }',
      'checks:',
      '  - { name: flaky, kind: http, target: "http://127.0.0.1:1/flaky?x=1", labels: { tier: flaky } }',
      '  - { name: healthy, kind: http, target: "http://127.0.0.1:1/ok", labels: { tier: good } }',
      '  - { name: slow, kind: http, target: "http://127.0.0.1:1/slow", enabled: false }',
    ].join('\n'),
  );
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const FAST = ['--runs', '10', '--interval', '10ms'];

function report(run: CliRun): GateReport {
  try {
    return JSON.parse(run.stdout) as GateReport;
  } catch {
    assert.fail(`stdout is not JSON (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}

test('gate: a server failing every other request fails the gate with a ratio of 0.5', async () => {
  flakyHits = 0;
  const run = await gate(['--config', config, '--check', 'flaky', '--base-url', server.origin, ...FAST, '--json']);
  assert.equal(run.code, 1, run.stderr);
  const r = report(run);
  assert.equal(r.pass, false);
  assert.equal(r.interrupted, false);
  assert.deepEqual(r.thresholds, { minSuccessRatio: 0.99, maxP95: 500 });
  const [flaky] = r.checks;
  assert.equal(r.checks.length, 1);
  assert.equal(flaky?.target, `${server.origin}/flaky?x=1`);
  assert.equal(flaky?.configuredTarget, 'http://127.0.0.1:1/flaky?x=1');
  assert.deepEqual([flaky?.runs, flaky?.ok, flaky?.successRatio, flaky?.pass], [10, 5, 0.5, false]);
  assert.deepEqual(flaky?.failures, { http_status: 5 });
  assert.ok(
    server.requests.some((seen) => seen.url === '/flaky?x=1'),
    'path and query reached the base URL',
  );
});

test('gate: a healthy server passes; the same flaky server passes a lenient ratio', async () => {
  const healthy = await gate([
    '--config',
    config,
    '--label',
    'tier=good',
    '--base-url',
    server.origin,
    ...FAST,
    '--json',
  ]);
  assert.equal(healthy.code, 0, healthy.stderr);
  const r = report(healthy);
  assert.equal(r.pass, true);
  assert.deepEqual(
    r.checks.map((c) => [c.name, c.runs, c.ok, c.successRatio]),
    [['healthy', 10, 10, 1]],
  );
  flakyHits = 0;
  const lenient = await gate([
    '--config',
    config,
    '--check',
    'flaky',
    '--base-url',
    server.origin,
    ...FAST,
    '--min-success-ratio',
    '0.5',
  ]);
  assert.equal(lenient.code, 0, lenient.stdout);
});

test('gate: without --check, every enabled HTTP check runs, and the table shows each', async () => {
  flakyHits = 0;
  const run = await gate(['--config', config, '--base-url', `${server.origin}/`, ...FAST]);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stdout, /^CHECK\s+RUNS\s+OK\s+RATIO\s+P50\s+P95\s+VERDICT\s+FIRST FAILURE$/m);
  assert.match(
    run.stdout,
    /^flaky\s+10\s+5\s+0\.500\s+\S+ms\s+\S+ms\s+FAIL\s+http_status: status: expected one of 2xx, got 503$/m,
  );
  assert.match(run.stdout, /^healthy\s+10\s+10\s+1\.000\s+\S+ms\s+\S+ms\s+PASS\s+-$/m);
  assert.doesNotMatch(run.stdout, /^slow/m, 'a disabled check is left out');
  assert.match(run.stdout, /^flaky: success ratio 0\.5 < 0\.99 \(5 of 10 passed\)$/m);
  assert.match(run.stdout, /^FAIL: 1 of 2 checks failed$/m);
});

test('gate: a slow server over --max-p95 fails on latency alone', async () => {
  const run = await gate([
    '--config',
    config,
    '--check',
    'slow',
    '--base-url',
    server.origin,
    '--runs',
    '3',
    '--interval',
    '10ms',
    '--max-p95',
    '20ms',
    '--json',
  ]);
  assert.equal(run.code, 1, run.stderr);
  const [slow] = report(run).checks;
  assert.equal(slow?.successRatio, 1);
  assert.ok((slow?.p95 ?? 0) > 20, `p95 ${slow?.p95}`);
  assert.match(slow?.why.join() ?? '', /^p95 [\d.]+ms > 20ms$/);
  const relaxed = await gate([
    '--config',
    config,
    '--check',
    'slow',
    '--base-url',
    server.origin,
    '--runs',
    '2',
    '--interval',
    '10ms',
    '--max-p95',
    '10s',
  ]);
  assert.equal(relaxed.code, 0, relaxed.stdout);
});

test('gate: bad input exits 2 and names the problem', async () => {
  const base = ['--config', config, '--base-url', server.origin];
  const cases: [string[], RegExp][] = [
    [['--config', config, '--runs', '1'], /--base-url: required/],
    [[...base], /give exactly one of --runs N or --duration D/],
    [[...base, '--runs', '1', '--duration', '1s'], /give exactly one of --runs N or --duration D/],
    [
      [...base, '--runs', '1', '--check', 'nope'],
      /--check: no check named "nope" in the config \(known: flaky, healthy, slow\)/,
    ],
    [[...base, '--runs', '1', '--interval', '1ms'], /--interval: must be between 10ms and 5m/],
    [
      [...base, '--runs', '1', '--tag', 'tier=none'],
      /no checks to run: the config has no enabled HTTP check with labels tier=none/,
    ],
    [['--config', join(dir, 'missing.yaml'), '--base-url', server.origin, '--runs', '1'], /cannot read file/],
    [[...base, '--runs', '1', '--colour'], /unknown option '--colour'/],
  ];
  const before = server.requests.length;
  for (const [args, message] of cases) {
    const run = await gate(args);
    assert.equal(run.code, 2, `${args.join(' ')}: exit ${run.code}\n${run.stdout}${run.stderr}`);
    assert.match(run.stderr, message, args.join(' '));
  }
  assert.equal(server.requests.length, before, 'bad input sends nothing');
});

test('gate: SIGINT stops early and judges the attempts that completed', async () => {
  const before = server.requests.length;
  const run = await gate(
    [
      '--config',
      config,
      '--check',
      'healthy',
      '--base-url',
      server.origin,
      '--runs',
      '1000',
      '--interval',
      '10ms',
      '--json',
    ],
    (child) => {
      eventually(
        () => Promise.resolve(server.requests.length - before >= 3 ? true : undefined),
        10_000,
        'three requests',
      ).then(
        () => child.kill('SIGINT'),
        () => child.kill('SIGKILL'),
      );
    },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /SIGINT: stopping; judging the attempts that completed/);
  const r = report(run);
  assert.equal(r.interrupted, true);
  assert.equal(r.pass, true);
  const [healthy] = r.checks;
  assert.ok((healthy?.runs ?? 0) >= 3 && (healthy?.runs ?? 0) < 1000, `runs ${healthy?.runs}`);
  assert.equal(healthy?.ok, healthy?.runs);
});
