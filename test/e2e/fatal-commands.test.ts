/**
 * The process policy of `canary lab` and `canary proxy`: an unhandled rejection is logged,
 * what the command started is stopped, and the exit is 1 for the supervisor. The rejection
 * comes from a module preloaded with `--import` (a seam of the test, not of the product):
 * on SIGUSR2 it rejects a promise nobody handles, inside the real CLI process.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cliPath, repoRoot } from '../helpers/paths.js';
import { eventually } from '../helpers/wait.js';

let dir: string;
let preload: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canary-fatal-'));
  preload = join(dir, 'reject-on-usr2.mjs');
  await writeFile(preload, "process.on('SIGUSR2', () => void Promise.reject(new Error('injected by the test')));\n");
});
after(() => rm(dir, { recursive: true, force: true }));

/** Runs `canary ARGS` with the preload; resolves its stdout lines once `ready` matches one. */
function start(args: readonly string[]) {
  const child = spawn(process.execPath, ['--import', pathToFileURL(preload).href, cliPath, ...args], { cwd: repoRoot });
  const lines: string[] = [];
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => lines.push(...c.split('\n').filter(Boolean)));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  const logs = () => lines.flatMap((l) => (l.startsWith('{"level"') ? [JSON.parse(l) as Record<string, unknown>] : []));
  return { child, lines, logs, exited, stderr: () => stderr };
}

function assertFatalLine(logs: Record<string, unknown>[]): void {
  const fatal = logs.find((l) => l.msg === 'unexpected error, stopping');
  assert.ok(fatal, 'the error is logged');
  assert.equal(fatal.kind, 'unhandledRejection');
  assert.equal(fatal.error, 'injected by the test');
}

test('canary lab: an unhandled rejection stops every lab process (pid files removed) and exits 1', async () => {
  const labDir = join(dir, 'lab');
  const run = start(['lab', '--backends', '1', '--base-port', '0', '--dir', labDir, '--control', '127.0.0.1:0']);
  try {
    await eventually(
      () => Promise.resolve(run.lines.some((l) => l.includes('SIGINT/SIGTERM')) || undefined),
      20_000,
      'the banner',
    );
    const pids = (await readdir(join(labDir, 'pids'))).length;
    assert.ok(pids > 0, 'the lab runs processes');
    run.child.kill('SIGUSR2');
    assert.equal(await run.exited, 1, run.stderr());
    assertFatalLine(run.logs());
    assert.deepEqual(await readdir(join(labDir, 'pids')), [], 'a graceful stop: every pid file removed');
  } finally {
    run.child.kill('SIGKILL');
  }
});

test('canary proxy: an unhandled rejection is logged, the proxies and the API are closed, and the exit is 1', async () => {
  const run = start(['proxy', '--listen', '127.0.0.1:0']);
  try {
    const api = await eventually(
      () => Promise.resolve(run.lines.find((l) => l.startsWith('{"api"'))),
      20_000,
      'the API line',
    );
    const url = (JSON.parse(api) as { api: string }).api;
    assert.equal((await fetch(`${url}/proxies`)).status, 200);
    run.child.kill('SIGUSR2');
    assert.equal(await run.exited, 1, run.stderr());
    assertFatalLine(run.logs());
  } finally {
    run.child.kill('SIGKILL');
  }
});
