import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { isCanaryError } from '../../src/errors.js';
import { startControlServer, type ControlServer } from '../../src/lab/process/control.js';
import { startLab, type LabProcessStatus, type RunningLab } from '../../src/lab/process/supervisor.js';
import { warmupDelay } from '../../src/lab/process/warmup.js';
import { rawGet } from '../helpers/raw-http.js';
import { eventually } from '../helpers/wait.js';

/** Cold start of every backend in this lab: 6 slow requests, the first 400 ms late. */
const WARMUP = { requests: 6, delayMs: 400 };

let dir: string;
let running: RunningLab;
let control: ControlServer;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canary-lab-'));
  running = await startLab({ dir, backends: 3, basePort: 0, host: '127.0.0.1', warmup: WARMUP });
  control = await startControlServer(running.lab, '127.0.0.1', 0);
});

after(async () => {
  await control?.close();
  await running?.lab.stop();
  await rm(dir, { recursive: true, force: true });
});

function proc(name: string): LabProcessStatus {
  const found = running.lab.list().find((p) => p.name === name);
  assert.ok(found, `no lab process ${name}`);
  return found;
}

async function viaBalancer(): Promise<{ status: number; backend?: string; pid?: number }> {
  const res = await fetch(`${running.balancer.url}/`);
  const body = (await res.json()) as { backend?: string; pid?: number };
  return { ...body, status: res.status };
}

const procGone = (pid: number) =>
  eventually(() => Promise.resolve(existsSync(`/proc/${pid}`) ? undefined : true), 5_000, `/proc/${pid} to disappear`);

test('warm-up delay decreases linearly from delayMs to 0 over the first requests', () => {
  const warmup = { requests: 4, delayMs: 200 };
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5].map((i) => warmupDelay(i, warmup)),
    [200, 150, 100, 50, 0, 0],
  );
  assert.equal(warmupDelay(0, { requests: 0, delayMs: 200 }), 0);
});

test('every process is a real process named by its pid file, and the balancer spreads over all backends', async () => {
  const processes = running.lab.list();
  assert.deepEqual(
    processes.map((p) => p.name),
    ['balancer', 'backend-1', 'backend-2', 'backend-3'],
  );
  assert.deepEqual((await readdir(join(dir, 'pids'))).sort(), [
    'backend-1.pid',
    'backend-2.pid',
    'backend-3.pid',
    'balancer.pid',
  ]);
  for (const p of processes) {
    assert.ok(p.alive && p.pid !== null && p.pid !== process.pid, `${p.name} runs in its own process`);
    assert.equal((await readFile(p.pidFile, 'utf8')).trim(), String(p.pid));
    const cmdline = await readFile(`/proc/${p.pid}/cmdline`, 'utf8');
    assert.match(cmdline, p.role === 'balancer' ? /balancer-main\.js/ : /backend-main\.js/);
  }
  const seen = new Map<string, number>();
  for (let i = 0; i < 6; i++) {
    const answer = await viaBalancer();
    assert.equal(answer.status, 200);
    seen.set(answer.backend as string, answer.pid as number);
  }
  assert.deepEqual([...seen.keys()].sort(), ['backend-1', 'backend-2', 'backend-3']);
  assert.equal(seen.get('backend-2'), proc('backend-2').pid, 'answers come from the process the pid file names');
});

test('SIGKILL really ends a backend; the balancer keeps answering from the others', async () => {
  const before = proc('backend-2');
  const result = await running.lab.kill('backend-2', 'SIGKILL');
  assert.deepEqual(result, { name: 'backend-2', pid: before.pid, signal: 'SIGKILL', exited: true });
  await procGone(before.pid as number);
  assert.equal(proc('backend-2').alive, false);
  // SIGKILL leaves no chance to clean up: the stale pid file stays, as with real services.
  assert.equal((await readFile(before.pidFile, 'utf8')).trim(), String(before.pid));
  for (let i = 0; i < 9; i++) {
    const answer = await viaBalancer();
    assert.equal(answer.status, 200, 'the refused request was retried on another backend');
    assert.notEqual(answer.backend, 'backend-2');
  }
  const view = (await (await fetch(`${running.balancer.url}/_lab/backends`)).json()) as {
    backends: { url: string; up: boolean }[];
  };
  assert.deepEqual(view.backends.find((b) => b.url === before.url)?.up, false, 'the balancer marked it down');
});

test('start brings the backend back with a new pid, and the balancer routes to it again within about a second', async () => {
  const old = proc('backend-2');
  assert.equal(old.alive, false, 'the previous test left backend-2 dead');
  const stalePid = Number((await readFile(old.pidFile, 'utf8')).trim());
  const started = await running.lab.start('backend-2');
  assert.ok(started.alive && started.pid !== null);
  assert.notEqual(started.pid, stalePid, 'a new process');
  assert.equal((await readFile(started.pidFile, 'utf8')).trim(), String(started.pid), 'pid file updated');
  assert.ok(existsSync(`/proc/${started.pid}`));
  assert.equal(started.url, old.url, 'same port');
  const t0 = performance.now();
  const answer = await eventually(
    async () => {
      const a = await viaBalancer();
      return a.backend === 'backend-2' ? a : undefined;
    },
    10_000,
    'backend-2 to get traffic again',
  );
  const waitedMs = performance.now() - t0;
  assert.equal(answer.pid, started.pid);
  // Re-probes run every 500 ms; a loaded machine gets a generous margin on top.
  assert.ok(waitedMs < 5_000, `back in rotation after ${Math.round(waitedMs)} ms`);
});

test('a freshly started backend is slower for its first requests (cold start)', async () => {
  const killed = await running.lab.kill('backend-3', 'SIGTERM');
  assert.equal(killed.exited, true);
  assert.equal(existsSync(proc('backend-3').pidFile), false, 'SIGTERM removes the pid file on the way out');
  const { url } = await running.lab.start('backend-3');
  const timings: { ms: number; coldMs: number }[] = [];
  for (let i = 0; i < WARMUP.requests + 4; i++) {
    const t0 = performance.now();
    const body = (await (await fetch(`${url}/`)).json()) as { coldMs: number };
    timings.push({ ms: performance.now() - t0, coldMs: body.coldMs });
  }
  assert.deepEqual(
    timings.map((t) => t.coldMs),
    [400, 333, 267, 200, 133, 67, 0, 0, 0, 0],
  );
  const first = timings[0]?.ms as number;
  const warm = timings
    .slice(-4)
    .map((t) => t.ms)
    .sort((a, b) => a - b)[1] as number;
  assert.ok(first >= 350, `first request took ${Math.round(first)} ms`);
  assert.ok(
    warm < first / 2,
    `warm requests (${Math.round(warm)} ms) are much faster than the first (${Math.round(first)} ms)`,
  );
});

test('control API: list, kill with a signal, start, and the errors', async () => {
  const call = async (method: string, path: string) => {
    const res = await fetch(`${control.url}${path}`, { method });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const listed = await call('GET', '/lab');
  const processes = listed.body.processes as LabProcessStatus[];
  assert.equal(listed.status, 200);
  assert.deepEqual(
    processes.map((p) => [p.name, p.alive]),
    [
      ['balancer', true],
      ['backend-1', true],
      ['backend-2', true],
      ['backend-3', true],
    ],
  );
  const victim = processes.find((p) => p.name === 'backend-1') as LabProcessStatus;

  const killed = await call('POST', '/lab/backend-1/kill?signal=SIGKILL');
  assert.deepEqual([killed.status, killed.body.pid, killed.body.exited], [200, victim.pid, true]);
  await procGone(victim.pid as number);
  assert.equal((await call('POST', '/lab/backend-1/kill')).status, 409, 'not running');
  assert.equal((await call('POST', '/lab/nope/kill')).status, 404);
  assert.equal((await call('POST', '/lab/backend-2/kill?signal=SIGNOPE')).status, 400);
  assert.equal((await call('GET', '/lab/backend-2/kill')).status, 405);
  assert.equal(proc('backend-2').alive, true, 'rejected calls touch nothing');

  const started = await call('POST', '/lab/backend-1/start');
  assert.equal(started.status, 200);
  assert.notEqual(started.body.pid, victim.pid);
  assert.equal((await readFile(victim.pidFile, 'utf8')).trim(), String(started.body.pid));
  assert.equal((await call('POST', '/lab/backend-1/start')).status, 409, 'already running');
});

test('a request target that does not parse is a 400 from the control API and the balancer, which keep serving', async () => {
  const control400 = await rawGet(control.url, '//[');
  assert.equal(control400.status, 400);
  assert.deepEqual(JSON.parse(control400.body), { error: 'bad request target: not an RFC 3986 path or absolute URL' });
  assert.equal((await fetch(`${control.url}/lab`)).status, 200);
  const balancer400 = await rawGet(running.balancer.url, '//[');
  assert.equal(balancer400.status, 400);
  assert.match(balancer400.body, /bad request target/);
  assert.equal((await viaBalancer()).status, 200);
});

test('the control API refuses a non-loopback address; a second lab on the same pid files is refused', async () => {
  await assert.rejects(startControlServer(running.lab, '0.0.0.0', 0), (err) => isCanaryError(err, 'CANARY_ERR_USAGE'));
  await assert.rejects(startLab({ dir, backends: 3, basePort: 0 }), (err) => isCanaryError(err, 'CANARY_ERR_BUSY'));
  assert.ok(
    running.lab.list().every((p) => p.alive),
    'the running lab is untouched',
  );
});

test('a backend that cannot listen fails startLab with its log and the port-taken exit code, once for fixed ports, and nothing is left running', async (t) => {
  const taken = createServer();
  await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
  t.after(() => new Promise<void>((done) => taken.close(() => done())));
  const port = (taken.address() as AddressInfo).port;
  const failDir = await mkdtemp(join(tmpdir(), 'canary-lab-fail-'));
  t.after(() => rm(failDir, { recursive: true, force: true }));
  // backend-1 gets basePort + 1: the port held above.
  await assert.rejects(startLab({ dir: failDir, backends: 1, basePort: port - 1 }), (err) => {
    assert.ok(isCanaryError(err, 'CANARY_ERR_STATE'));
    // 98 tells the supervisor the port was taken; with fixed ports it does not choose again.
    assert.match(err.message, /backend-1 exited before it was ready \(code 98,[\s\S]*EADDRINUSE/);
    return true;
  });
  const log = await readFile(join(failDir, 'backend-1.log'), 'utf8');
  assert.equal(log.match(/cannot start/g)?.length, 1, 'one try with fixed ports');
  assert.deepEqual(await readdir(join(failDir, 'pids')), [], 'no pid file: no process left');
});

test('stop ends every process and leaves no pid files', async () => {
  const pids = running.lab.list().map((p) => p.pid as number);
  await running.lab.stop();
  for (const pid of pids) await procGone(pid);
  assert.deepEqual(await readdir(join(dir, 'pids')), []);
  assert.ok(running.lab.list().every((p) => !p.alive));
});
