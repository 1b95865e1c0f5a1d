import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCall } from '../../src/chaos/actions/run-call.js';
import { planStep } from '../../src/chaos/plan.js';
import type { Call, CallOutcome } from '../../src/chaos/model/calls.js';
import type { ProcessStep } from '../../src/chaos/model/steps.js';
import type { Instance } from '../../src/chaos/model/target.js';
import { isCanaryError } from '../../src/errors.js';
import { closedPort, startHttpServer, type HttpTestServer } from '../helpers/servers.js';
import { eventually, waitUntil } from '../helpers/wait.js';

const node = process.execPath;
const dir = mkdtempSync(join(tmpdir(), 'canary-actions-'));
const children: ChildProcess[] = [];

after(() => {
  // SIGKILL works on stopped processes too, so nothing a failed test left stopped survives.
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function exec(argv: string[], timeoutMs = 10_000, env: Record<string, string> = {}): Promise<CallOutcome> {
  return runCall({ kind: 'exec', argv, env, timeoutMs }, AbortSignal.timeout(30_000));
}

/** The `[stdout]` section of an exec outcome's output. */
function stdoutOf(outcome: CallOutcome): string {
  const match = /^\[stdout\]\n([\s\S]*?)(?:\n\[stderr\]\n|$)/.exec(outcome.output);
  return match?.[1] ?? '';
}

describe('exec calls', () => {
  test('exit code 0 is ok; stdout and stderr are both captured', async () => {
    const ok = await exec([node, '-e', 'process.stdout.write("out-text"); process.stderr.write("err-text")']);
    assert.equal(ok.ok, true, ok.error);
    assert.equal(ok.output, '[stdout]\nout-text\n[stderr]\nerr-text');
    const failed = await exec([node, '-e', 'process.stderr.write("broken"); process.exit(3)']);
    assert.deepEqual([failed.ok, failed.error, failed.output], [false, 'exited with code 3', '[stderr]\nbroken']);
  });

  test('output keeps the last 4 KiB of each stream and says how much was dropped', async () => {
    const big = await exec([node, '-e', 'process.stdout.write("START" + "x".repeat(20000) + "END")']);
    assert.equal(big.ok, true, big.error);
    assert.match(big.output, /^\[stdout\]\n\[15912 bytes dropped\]…x+END$/);
    assert.equal(stdoutOf(big).length, '[15912 bytes dropped]…'.length + 4096);
    const lines = await exec([node, '-e', 'for (let i = 0; i < 3000; i++) console.log("line " + i)']);
    const text = stdoutOf(lines);
    assert.ok(text.endsWith('line 2999\n'), text.slice(-40));
    assert.ok(!text.includes('line 0\n') && !text.includes('line 100\n'));
  });

  test('the environment is not inherited: only PATH and the call env reach the child', async () => {
    process.env.CANARY_TEST_SECRET = 'hunter2';
    try {
      const outcome = await exec([node, '-e', 'process.stdout.write(JSON.stringify(process.env))'], 10_000, {
        MODE: 'chaos',
      });
      assert.equal(outcome.ok, true, outcome.error);
      const env = JSON.parse(stdoutOf(outcome)) as Record<string, string>;
      assert.equal(env.CANARY_TEST_SECRET, undefined);
      assert.deepEqual(env, { PATH: process.env.PATH, MODE: 'chaos' });
    } finally {
      delete process.env.CANARY_TEST_SECRET;
    }
  });

  test('a timeout kills the child with SIGTERM well within timeout + 2 s', async () => {
    const outcome = await exec(
      [node, '-e', 'process.stdout.write(String(process.pid)); setInterval(() => {}, 1000)'],
      300,
    );
    assert.equal(outcome.ok, false);
    assert.equal(outcome.error, 'timed out after 300ms; killed by SIGTERM');
    assert.ok(outcome.durationMs >= 300 && outcome.durationMs < 300 + 2000 + 2000, `took ${outcome.durationMs}ms`);
    const pid = Number(stdoutOf(outcome));
    assert.ok(pid > 1 && !existsSync(`/proc/${pid}`), `child ${pid} still exists`);
  });

  test('a timeout also ends what the program started (its process group)', async () => {
    const outcome = await exec(['sh', '-c', 'sleep 30 & echo $!; wait'], 300);
    assert.equal(outcome.ok, false);
    const grandchild = Number(/\d+/.exec(stdoutOf(outcome))?.[0]);
    assert.ok(grandchild > 1, `no pid in ${outcome.output}`);
    // The group gets SIGTERM together; the kernel may take a moment to end the grandchild.
    const ended = () =>
      !existsSync(`/proc/${grandchild}`) || /^State:\s+Z/m.test(readFileSync(`/proc/${grandchild}/status`, 'utf8'));
    await waitUntil(ended, 5_000, `grandchild ${grandchild} to end`).catch(() => undefined);
    const state = existsSync(`/proc/${grandchild}`)
      ? /^State:\s+(\S)/m.exec(readFileSync(`/proc/${grandchild}/status`, 'utf8'))?.[1]
      : 'gone';
    assert.ok(state === 'gone' || state === 'Z', `grandchild ${grandchild} still runs (state ${state})`);
  });

  test('a child that ignores SIGTERM gets SIGKILL 2 s later', async () => {
    const script = 'process.on("SIGTERM", () => {}); process.stdout.write("ready"); setInterval(() => {}, 1000)';
    const outcome = await exec([node, '-e', script], 2000);
    assert.equal(outcome.output, '[stdout]\nready', 'the child must have installed its handler before the timeout');
    assert.equal(outcome.error, 'timed out after 2000ms; killed by SIGKILL');
    assert.ok(outcome.durationMs >= 3900 && outcome.durationMs < 9000, `took ${outcome.durationMs}ms`);
  });

  test('the abort signal stops the child the same way', async () => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 200);
    const outcome = await runCall(
      { kind: 'exec', argv: [node, '-e', 'setInterval(() => {}, 1000)'], env: {}, timeoutMs: 30_000 },
      controller.signal,
    );
    clearTimeout(timer);
    assert.equal(outcome.error, 'aborted; killed by SIGTERM');
    assert.ok(outcome.durationMs < 5000, `took ${outcome.durationMs}ms`);
    const early = await runCall(
      { kind: 'exec', argv: [node, '-e', ''], env: {}, timeoutMs: 1000 },
      AbortSignal.abort(),
    );
    assert.deepEqual([early.ok, early.error], [false, 'aborted before it started']);
  });

  test('a program that does not exist is a failed call, not an exception', async () => {
    const onPath = await exec(['canary-no-such-program-7f3a']);
    assert.deepEqual(
      [onPath.ok, onPath.error],
      [false, 'cannot run "canary-no-such-program-7f3a": no such program on PATH (ENOENT)'],
    );
    const absolute = await exec([join(dir, 'missing-program')]);
    assert.match(absolute.error ?? '', /no such program \(ENOENT\)$/);
    const empty = await exec([]);
    assert.deepEqual([empty.ok, empty.error], [false, 'exec call has an empty argv']);
  });
});

describe('http calls', () => {
  let server: HttpTestServer;
  const call = (
    path: string,
    extra: Partial<Extract<Call, { kind: 'http' }>> = {},
  ): Extract<Call, { kind: 'http' }> => ({
    kind: 'http',
    method: 'GET',
    url: `${server.origin}${path}`,
    headers: {},
    expectStatus: [200],
    timeoutMs: 5000,
    ...extra,
  });

  before(async () => {
    server = await startHttpServer((req, res) => {
      if (req.url === '/ok') return void res.end('hello');
      if (req.url === '/big') return void res.end('y'.repeat(1000) + 'z'.repeat(5000));
      if (req.url === '/unavailable') return void res.writeHead(503).end('down');
      if (req.url === '/hang') return; // never answers; close() destroys the socket
      res.writeHead(404).end();
    });
  });
  after(() => server.close());

  test('a status in expectStatus is ok; method, headers and body reach the server', async () => {
    const outcome = await runCall(
      call('/ok', { method: 'POST', headers: { 'x-fault': 'latency' }, body: '{"ms": 100}', expectStatus: [200, 201] }),
      AbortSignal.timeout(10_000),
    );
    assert.deepEqual([outcome.ok, outcome.output, outcome.error], [true, 'HTTP 200\nhello', undefined]);
    const seen = server.requests.at(-1);
    assert.deepEqual(
      [seen?.method, seen?.url, seen?.headers['x-fault'], seen?.body],
      ['POST', '/ok', 'latency', '{"ms": 100}'],
    );
  });

  test('a status outside expectStatus fails and names both', async () => {
    const expect2xx = Array.from({ length: 100 }, (_, i) => 200 + i);
    const outcome = await runCall(
      call('/unavailable', { expectStatus: [...expect2xx, 404] }),
      AbortSignal.timeout(10_000),
    );
    assert.deepEqual(
      [outcome.ok, outcome.output, outcome.error],
      [false, 'HTTP 503\ndown', 'status 503, expected 200-299, 404'],
    );
  });

  test('only the first 1 KiB of the body is kept', async () => {
    const outcome = await runCall(call('/big'), AbortSignal.timeout(10_000));
    assert.equal(outcome.output, `HTTP 200\n${'y'.repeat(1000)}${'z'.repeat(24)}`);
  });

  test('a server that never answers times out; a closed port and an abort fail', async () => {
    const slow = await runCall(call('/hang', { timeoutMs: 300 }), AbortSignal.timeout(10_000));
    assert.equal(slow.ok, false);
    assert.match(slow.error ?? '', /^timed out after 300ms: GET http:\/\/127\.0\.0\.1:\d+\/hang$/);
    assert.ok(slow.durationMs >= 250 && slow.durationMs < 5000, `took ${slow.durationMs}ms`);
    const refused = await runCall(
      { ...call('/'), url: `http://127.0.0.1:${await closedPort()}/` },
      AbortSignal.timeout(10_000),
    );
    assert.match(refused.error ?? '', /ECONNREFUSED/);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const aborted = await runCall(call('/hang', { timeoutMs: 30_000 }), controller.signal);
    assert.match(aborted.error ?? '', /^aborted: GET /);
  });
});

/** The state letter of `/proc/<pid>/stat` (after the command name, which may hold spaces). */
function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

/** Waits (at most 5 s) until the state is one of `states`; the state it has then, matching or not. */
async function waitForState(pid: number, states: string): Promise<string | undefined> {
  const matching = () => {
    const state = procState(pid);
    return state !== undefined && states.includes(state) ? state : undefined;
  };
  return eventually(matching, 5_000, `process ${pid} in state ${states}`, 20).catch(() => procState(pid));
}

/** A real idle process and a pid file naming it. */
function startTarget(name: string): { child: ChildProcess; pid: number; instance: Instance } {
  const child = spawn(node, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  const pid = child.pid as number;
  const pidFile = join(dir, `${name}.pid`);
  writeFileSync(pidFile, `${pid}\n`);
  return { child, pid, instance: { name, pidFile, vars: {} } };
}

describe('signal calls against real processes', { skip: existsSync('/proc/self/stat') ? false : 'needs /proc' }, () => {
  const step = (signal: NodeJS.Signals): ProcessStep => ({
    id: 'method[0]',
    action: 'process',
    target: 'fleet',
    selection: {},
    signal,
    kill: false,
  });
  const plan = async (signal: NodeJS.Signals, instance: Instance) =>
    (await planStep(step(signal), { name: 'fleet', instances: [instance] }, [instance]))[0];
  const signal = AbortSignal.timeout(60_000);

  test('SIGSTOP stops the process (state T) and its planned revert resumes it', async () => {
    const target = startTarget('stop-me');
    const fault = await plan('SIGSTOP', target.instance);
    assert.ok(fault?.revert !== undefined);
    const applied = await runCall(fault.apply, signal);
    assert.deepEqual([applied.ok, applied.output], [true, `sent SIGSTOP to pid ${target.pid}`]);
    assert.equal(await waitForState(target.pid, 'T'), 'T');
    const reverted = await runCall(fault.revert, signal);
    assert.equal(reverted.ok, true, reverted.error);
    assert.match((await waitForState(target.pid, 'SR')) ?? 'gone', /^[SR]$/);
  });

  test('a pid reused by another process since planning is not signalled (its start time differs)', async () => {
    const target = startTarget('reused');
    const fault = await plan('SIGSTOP', target.instance);
    assert.ok(fault?.apply.kind === 'signal' && fault.revert?.kind === 'signal');
    assert.ok(typeof fault.apply.startTicks === 'number', 'planning records when the process started');
    // Stand-in for a reused pid: the same pid, a different start time.
    const reused = { ...fault.apply, startTicks: (fault.apply.startTicks ?? 0) + 1 };
    const refused = await runCall(reused, signal);
    assert.equal(refused.ok, false);
    assert.match(refused.error ?? '', new RegExp(`pid ${target.pid} is another process now .*SIGSTOP not sent`));
    assert.match((await waitForState(target.pid, 'SR')) ?? 'gone', /^[SR]$/, 'the process was not stopped');
    const resumed = await runCall({ ...fault.revert, startTicks: reused.startTicks }, signal);
    assert.equal(resumed.ok, true, 'SIGCONT to a reused pid counts as reverted: the stopped process is gone');
  });

  test('a pid file that now names another process is refused, except for SIGCONT', async () => {
    const first = startTarget('replaced');
    const fault = await plan('SIGSTOP', first.instance);
    const second = startTarget('replacement');
    writeFileSync(first.instance.pidFile as string, String(second.pid));
    const refused = await runCall(fault?.apply as Call, signal);
    assert.equal(refused.ok, false);
    assert.match(
      refused.error ?? '',
      new RegExp(
        `^process ${first.pid} was replaced or is gone \\(pid file .* now holds pid ${second.pid}\\); SIGSTOP not sent$`,
      ),
    );
    assert.match(procState(first.pid) ?? 'gone', /^[SR]$/);
    assert.match(procState(second.pid) ?? 'gone', /^[SR]$/);
    const resumed = await runCall(fault?.revert as Call, signal);
    assert.equal(resumed.ok, true, resumed.error);
  });

  test('a vanished process: SIGCONT is ok (nothing left stopped), anything else is "no such process"', async () => {
    const target = startTarget('vanishing');
    const stop = await plan('SIGSTOP', target.instance);
    const term = await plan('SIGTERM', target.instance);
    assert.equal(term?.revert, undefined);
    target.child.kill('SIGKILL');
    await new Promise((resolve) => target.child.once('exit', resolve));
    const resumed = await runCall(stop?.revert as Call, signal);
    assert.deepEqual([resumed.ok, resumed.output], [true, `pid ${target.pid} is gone: nothing left stopped`]);
    const termed = await runCall(term?.apply as Call, signal);
    assert.deepEqual([termed.ok, termed.error], [false, `no such process: pid ${target.pid}`]);
  });

  test('pid 1, a missing or garbled pid file are refused at planning; a journaled pid 1 is never signalled', async () => {
    for (const [content, pattern] of [
      ['1\n', /holds pid 1; refusing/],
      ['not-a-pid', /does not hold a pid/],
    ] as const) {
      const pidFile = join(dir, 'bad.pid');
      writeFileSync(pidFile, content);
      await assert.rejects(
        plan('SIGSTOP', { name: 'bad', pidFile, vars: {} }),
        (err: unknown) => isCanaryError(err, 'CANARY_ERR_CONFIG') && pattern.test(err.message),
      );
    }
    await assert.rejects(
      plan('SIGSTOP', { name: 'gone', pidFile: join(dir, 'never-written.pid'), vars: {} }),
      /never-written\.pid does not exist/,
    );
    const initFile = join(dir, 'init.pid');
    writeFileSync(initFile, '1');
    const refused = await runCall({ kind: 'signal', pid: 1, pidFile: initFile, signal: 'SIGCONT' }, signal);
    assert.deepEqual(
      [refused.ok, refused.error],
      [false, 'refusing to send SIGCONT to pid 1: not a single process other than init'],
    );
  });

  test('SIGKILL ends the process and has no revert', async () => {
    const target = startTarget('kill-me');
    const fault = await plan('SIGKILL', target.instance);
    assert.equal(fault?.revert, undefined);
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      target.child.once('exit', (_code, sig) => resolve(sig)),
    );
    assert.equal((await runCall(fault?.apply as Call, signal)).ok, true);
    assert.equal(await exited, 'SIGKILL');
  });
});
