import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli } from '../helpers/cli.js';
import { eventually } from '../helpers/wait.js';
import { cliPath, repoRoot } from '../helpers/paths.js';

/**
 * `canary lab` as a user runs it. Until the command is registered in the program, the
 * same command runs from a small entry point that registers it exactly as
 * src/cli/program.ts does for the others (the test says so in its diagnostics).
 */
let entry: string[];
let entryDir: string | undefined;

after(() => (entryDir === undefined ? undefined : rm(entryDir, { recursive: true, force: true })));

before(async () => {
  const help = await runCli(['lab', '--help']);
  if (help.code === 0 && help.stdout.includes('--warmup-delay')) {
    entry = [cliPath, 'lab'];
    return;
  }
  const dist = (p: string) => pathToFileURL(resolve(repoRoot, 'dist', 'src', 'cli', p)).href;
  entryDir = await mkdtemp(join(tmpdir(), 'canary-lab-entry-'));
  const script = join(entryDir, 'lab-entry.mjs');
  await writeFile(
    script,
    [
      `import { buildProgram } from ${JSON.stringify(dist('program.js'))};`,
      `import { labCommand } from ${JSON.stringify(dist('commands/lab.js'))};`,
      `import { processIo } from ${JSON.stringify(dist('io.js'))};`,
      `import { exitFor } from ${JSON.stringify(dist('exit.js'))};`,
      'const io = processIo();',
      'const program = buildProgram(io);',
      'const lab = labCommand(io);',
      'lab.copyInheritedSettings(program);',
      'program.addCommand(lab);',
      "program.parseAsync(['lab', ...process.argv.slice(2)], { from: 'user' }).then(",
      '  () => { process.exitCode = io.exitCode; },',
      '  (err) => { const { code, text } = exitFor(err); io.err(text); process.exitCode = code; },',
      ');',
    ].join('\n'),
  );
  entry = [script];
});

/** A running `canary lab`: its stdout lines, stderr, and how it ended. */
interface LabRun {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const noted = new WeakSet<TestContext>();

function startLabCli(t: TestContext, args: readonly string[]): LabRun {
  if (entry[0] !== cliPath && !noted.has(t) && noted.add(t))
    t.diagnostic('`lab` is not registered in src/cli/program.ts: running labCommand from a test entry point');
  const child = spawn(process.execPath, [...entry, ...args], { cwd: repoRoot });
  const lines: string[] = [];
  let stderr = '';
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('close', (code, signal) => done({ code, signal })),
  );
  return { child, lines, stderr: () => stderr, exited };
}

/** Pids named by every pid file in `dir/pids`. */
async function pidsIn(dir: string): Promise<number[]> {
  const files = await readdir(join(dir, 'pids'));
  return Promise.all(files.map(async (f) => Number((await readFile(join(dir, 'pids', f), 'utf8')).trim())));
}

/** Cleanup for a failed test: SIGKILL the CLI and anything its pid files still name. */
async function killAll(run: LabRun, dir: string): Promise<void> {
  if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  for (const pid of await pidsIn(dir).catch(() => [])) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  await run.exited;
  await rm(dir, { recursive: true, force: true });
}

test('canary lab --json: endpoints and pid files of real processes; SIGTERM stops every one of them', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'canary-lab-cli-'));
  const run = startLabCli(t, [
    '--backends',
    '2',
    '--base-port',
    '0',
    '--dir',
    dir,
    '--control',
    '127.0.0.1:0',
    '--warmup-requests',
    '0',
    '--origin-fill',
    '5ms',
    '--miss-ratio',
    '1',
    '--json',
  ]);
  t.after(() => killAll(run, dir));
  type Shown = {
    control: string;
    pidDir: string;
    origin: string | null;
    processes: { name: string; url: string; pid: number; pidFile: string }[];
  };
  const shown = await eventually(
    () => {
      const line = run.lines.find((l) => l.startsWith('{"control"'));
      if (run.child.exitCode !== null) throw new Error(`exited ${run.child.exitCode}: ${run.stderr()}`);
      return Promise.resolve(line === undefined ? undefined : (JSON.parse(line) as Shown));
    },
    20_000,
    'the endpoints line',
  );
  assert.deepEqual(
    shown.processes.map((p) => p.name),
    ['balancer', 'backend-1', 'backend-2'],
  );
  assert.equal(shown.pidDir, join(dir, 'pids'));
  const pids = await pidsIn(dir);
  assert.deepEqual([...pids].sort(), shown.processes.map((p) => p.pid).sort(), 'pid files name the processes shown');
  for (const pid of pids) assert.ok(existsSync(`/proc/${pid}`), `process ${pid} runs`);

  const answer = await fetch(`${shown.processes[0]?.url}/`);
  assert.equal(answer.status, 200);
  // --miss-ratio 1: every request fills from the shared origin the lab reports.
  assert.equal(((await answer.json()) as { miss: boolean }).miss, true);
  assert.match(shown.origin ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
  const listed = (await (await fetch(shown.control)).json()) as { processes: { alive: boolean }[] };
  assert.equal(listed.processes.filter((p) => p.alive).length, 3);

  run.child.kill('SIGTERM');
  const { code } = await run.exited;
  assert.equal(code, 0, run.stderr());
  for (const pid of pids) assert.equal(existsSync(`/proc/${pid}`), false, `process ${pid} is gone after exit`);
  assert.deepEqual(await readdir(join(dir, 'pids')), [], 'every pid file removed');
});

test('canary lab killed with SIGKILL leaves no child behind; a start over leftovers names every one and the command that clears them', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'canary-lab-orphans-'));
  const args = ['--backends', '2', '--base-port', '0', '--dir', dir, '--control', '127.0.0.1:0', '--json'];
  const run = startLabCli(t, args);
  t.after(() => killAll(run, dir));
  await eventually(() => run.lines.find((l) => l.startsWith('{"control"')), 20_000, 'the endpoints line');
  const pids = await pidsIn(dir);
  assert.equal(pids.length, 3);
  run.child.kill('SIGKILL');
  await run.exited;
  // Each child watches its supervisor: gone, they stop by themselves and remove their pid files.
  await eventually(
    () => (pids.every((pid) => !existsSync(`/proc/${pid}`)) ? true : undefined),
    10_000,
    `the children ${pids.join(', ')} to exit`,
  );
  assert.deepEqual(await readdir(join(dir, 'pids')), [], 'every pid file removed');

  // Leftovers of a lab started by a process that is still alive (this test) stay: a new lab names them all.
  const { startLab } = await import('../../src/lab/process/supervisor.js');
  const first = await startLab({ dir, backends: 2, basePort: 0, warmup: { requests: 0, delayMs: 0 } });
  t.after(() => first.lab.stop());
  const again = startLabCli(t, args);
  const { code } = await again.exited;
  assert.equal(code, 1, again.stderr());
  const left = await pidsIn(dir);
  for (const pid of left) assert.match(again.stderr(), new RegExp(`pid ${pid}\\b`));
  const command = /stop them first: kill ([\d ]+)$/m.exec(again.stderr());
  assert.deepEqual(command?.[1]?.split(' ').map(Number).sort(), [...left].sort(), 'one kill for all of them');
});

test('canary lab prints its endpoints for people; SIGINT stops everything, even a killed-and-restarted backend', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'canary-lab-cli-'));
  const run = startLabCli(t, [
    '--backends',
    '1',
    '--base-port',
    '0',
    '--dir',
    dir,
    '--control',
    '127.0.0.1:0',
    '--warmup-delay',
    '10ms',
  ]);
  t.after(() => killAll(run, dir));
  const text = await eventually(
    () => {
      if (run.child.exitCode !== null) throw new Error(`exited ${run.child.exitCode}: ${run.stderr()}`);
      const all = run.lines.join('\n');
      return Promise.resolve(all.includes('SIGINT/SIGTERM stops') ? all : undefined);
    },
    20_000,
    'the banner',
  );
  assert.match(text, /^ {2}balancer {4}http:\/\/127\.0\.0\.1:\d+\/ +pid \d+$/m);
  assert.match(text, /^ {2}backend-1 {3}http:\/\/127\.0\.0\.1:\d+\/ +pid \d+$/m);
  const control = /^ {2}control {5}(http:\/\/127\.0\.0\.1:\d+)\/lab/m.exec(text)?.[1];
  assert.ok(control, text);
  assert.match(text, /^ {2}pid files {3}\S+\/pids\/$/m);

  const first = await pidsIn(dir);
  const killed = await fetch(`${control}/lab/backend-1/kill?signal=SIGKILL`, { method: 'POST' });
  assert.equal(killed.status, 200);
  const started = (await (await fetch(`${control}/lab/backend-1/start`, { method: 'POST' })).json()) as { pid: number };
  const now = await pidsIn(dir);
  assert.ok(
    now.includes(started.pid) && !first.every((p) => now.includes(p)),
    'the restarted backend has a new pid in its pid file',
  );

  run.child.kill('SIGINT');
  const { code } = await run.exited;
  assert.equal(code, 0, run.stderr());
  for (const pid of [...first, ...now])
    assert.equal(existsSync(`/proc/${pid}`), false, `process ${pid} is gone after exit`);
});

test('canary lab runs the fault proxy in front of its balancer, on free ports with --base-port 0; --no-proxy runs none', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'canary-lab-proxy-'));
  const args = ['--backends', '2', '--base-port', '0', '--dir', dir, '--control', '127.0.0.1:0', '--json'];
  type Shown = {
    proxy: { name: string; frontend: string; api: string } | null;
    processes: { name: string; url: string }[];
  };
  const shown = async (run: LabRun) =>
    JSON.parse(
      await eventually(
        () => {
          if (run.child.exitCode !== null) throw new Error(`exited ${run.child.exitCode}: ${run.stderr()}`);
          return Promise.resolve(run.lines.find((l) => l.startsWith('{"control"')));
        },
        30_000,
        'the endpoints line',
      ),
    ) as Shown;
  const run = startLabCli(t, args);
  t.after(() => killAll(run, dir));
  const lab = await shown(run);
  assert.equal(lab.proxy?.name, 'lab-frontend');
  assert.match(lab.proxy?.frontend ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.notEqual(lab.proxy?.frontend, 'http://127.0.0.1:18190', 'a free port, not the fixed one');
  // Through the proxy to the balancer, round-robin over both backends.
  const seen = new Set<string>();
  for (let i = 0; i < 4; i++)
    seen.add(((await (await fetch(`${lab.proxy?.frontend}/`)).json()) as { backend: string }).backend);
  assert.deepEqual([...seen].sort(), ['backend-1', 'backend-2']);
  const proxies = (await (await fetch(`${lab.proxy?.api}/proxies`)).json()) as Record<string, { upstream: string }>;
  const balancer = lab.processes.find((p) => p.name === 'balancer')?.url ?? '';
  assert.equal(proxies['lab-frontend']?.upstream, balancer.replace(/^http:\/\//, ''));
  run.child.kill('SIGINT');
  assert.equal((await run.exited).code, 0, run.stderr());
  await assert.rejects(fetch(`${lab.proxy?.frontend}/`), 'the proxy stops with the lab');

  const bare = startLabCli(t, [...args, '--no-proxy']);
  t.after(() => killAll(bare, dir));
  assert.equal((await shown(bare)).proxy, null);
  bare.child.kill('SIGINT');
  assert.equal((await bare.exited).code, 0, bare.stderr());
});

test('canary lab rejects bad flags with exit 2 before starting anything', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'canary-lab-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const [flags, message] of [
    [['--backends', '0'], /backends/],
    [['--control', '0.0.0.0:18179'], /loopback/],
    [['--proxy', '0.0.0.0:18190'], /--proxy 0\.0\.0\.0:18190: must be a loopback HOST:PORT/],
    [['--warmup-delay', 'soon'], /--warmup-delay soon/],
  ] as const) {
    const run = startLabCli(t, ['--dir', dir, '--base-port', '0', ...flags]);
    const { code } = await run.exited;
    assert.equal(code, 2, `${flags.join(' ')}: ${run.stderr()}`);
    assert.match(run.stderr(), message);
  }
  assert.deepEqual(existsSync(join(dir, 'pids')) ? await readdir(join(dir, 'pids')) : [], [], 'no process was started');
});
