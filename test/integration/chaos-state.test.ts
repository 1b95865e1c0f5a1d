import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdtemp, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Journal } from '../../src/chaos/model/journal.js';
import { JournalStore } from '../../src/chaos/state/journal.js';
import { acquireLock, readLock } from '../../src/chaos/state/lock.js';
import { haltStatus, resume, watchHalt, type HaltRecord } from '../../src/chaos/state/halt.js';
import { AuditLog, auditPaths, verify, type AuditRecord } from '../../src/chaos/state/audit.js';
import { isBusyError } from '../../src/chaos/state/errors.js';
import { makeJournal } from '../helpers/journal.js';

/** Compiled modules the child processes import (tests run from dist/test/integration). */
const moduleUrl = (name: string): string => new URL(`../../src/chaos/state/${name}.js`, import.meta.url).href;

const children = new Set<ChildProcess>();
const scratch: string[] = [];

after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'canary-chaos-state-'));
  scratch.push(dir);
  return join(dir, 'state');
}

/** Runs an ES module script in a new node process; `args` arrive as process.argv[1...]. */
function node(script: string, args: string[] = []): ChildProcess {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.add(child);
  return child;
}

/** Resolves with the child's stdout once it contains `marker`; rejects after 10 s or on exit. */
function waitForOutput(child: ChildProcess, marker: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => finish(new Error(`no "${marker}" from child within 10s; got: ${out}`)), 10_000);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString('utf8');
      if (out.includes(marker)) finish();
    };
    const onExit = (): void =>
      finish(out.includes(marker) ? undefined : new Error(`child exited before "${marker}"; got: ${out}`));
    function finish(err?: Error): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(out);
    }
    child.stdout?.on('data', onData);
    child.on('exit', onExit);
  });
}

async function killAndWait(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

function runningJournal(runId: string, pid: number): Journal {
  return makeJournal(runId, { pid, startedAt: new Date().toISOString() });
}

test('unfinished: a running journal is unfinished only once its runner is SIGKILLed', async () => {
  const dir = await stateDir();
  const runner = node('setInterval(() => {}, 1000); console.log("up");');
  await waitForOutput(runner, 'up');
  assert.ok(runner.pid !== undefined);
  const store = new JournalStore(dir);
  await store.create(runningJournal('r-live', runner.pid));
  assert.deepEqual(await store.unfinished(), []);
  await killAndWait(runner);
  assert.deepEqual(
    (await store.unfinished()).map((j) => j.runId),
    ['r-live'],
  );
});

test('lock: held by a live child it is refused; after SIGKILL the stale lock is taken over', async () => {
  const dir = await stateDir();
  const holder = node(
    `const { acquireLock } = await import(process.argv[1]);
     await acquireLock(process.argv[2], { runId: 'run-child', experiment: 'kill-one', pid: process.pid });
     console.log('locked'); setInterval(() => {}, 1000);`,
    [moduleUrl('lock'), dir],
  );
  await waitForOutput(holder, 'locked');
  await assert.rejects(acquireLock(dir, { runId: 'run-parent', experiment: 'latency', pid: process.pid }), (err) => {
    assert.ok(isBusyError(err));
    assert.match(
      err.message,
      new RegExp(`experiment "kill-one" is already running \\(run run-child, pid ${holder.pid} on `),
    );
    return true;
  });
  await killAndWait(holder);
  const lock = await acquireLock(dir, { runId: 'run-parent', experiment: 'latency', pid: process.pid });
  assert.deepEqual(await readLock(dir), lock.info);
  await lock.release();
  assert.equal(await readLock(dir), undefined);
});

test('halt from another process reaches a watcher within 1 s; resume clears it', async () => {
  const dir = await stateDir();
  let firedAt = 0;
  const fired = new Promise<HaltRecord>((resolve) => {
    const watcher = watchHalt(dir, (record) => {
      firedAt = Date.now();
      watcher.close();
      resolve(record);
    });
  });
  const operatorShell = node(
    `const { halt } = await import(process.argv[1]);
     const record = await halt(process.argv[2], { operator: 'oncall', reason: 'payments degraded' });
     console.log(JSON.stringify(record));`,
    [moduleUrl('halt'), dir],
  );
  const out = await waitForOutput(operatorShell, '}');
  const written = JSON.parse(out) as HaltRecord;
  // A referenced timer: the watcher's own is unref'd and would not keep this test's process waiting.
  let timeout: NodeJS.Timeout | undefined;
  const record = await Promise.race([
    fired,
    new Promise<undefined>((r) => (timeout = setTimeout(() => r(undefined), 5000))),
  ]);
  clearTimeout(timeout);
  assert.ok(record, 'watchHalt never fired');
  assert.deepEqual(record, written);
  // From the moment the other process started writing to the watcher's call.
  const latency = firedAt - Date.parse(written.at);
  assert.ok(latency < 1000, `halt took ${latency} ms to reach the watcher`);
  assert.deepEqual(await resume(dir), written);
  assert.equal(await haltStatus(dir), undefined);
});

const APPENDER = `
  const { AuditLog } = await import(process.argv[1]);
  const [, , dir, who, count] = process.argv;
  const audit = new AuditLog(dir);
  console.log('ready');
  await new Promise((r) => process.stdin.once('data', r));
  await Promise.all(Array.from({ length: Number(count) }, (_, i) =>
    audit.append({ event: 'fault.apply', operator: who, runId: who, detail: String(i), outcome: 'ok' })));
  console.log('done');
  process.exit(0);`;

/** Lines of the log as text, without the final newline. */
async function logLines(dir: string): Promise<string[]> {
  return (await readFile(auditPaths(dir).log, 'utf8')).replace(/\n$/, '').split('\n');
}

/** A copy of the state dir whose log is `lines`, for one tampering case. */
async function tampered(dir: string, lines: string[], suffix = '\n'): Promise<string> {
  const copy = `${dir}-${Math.random().toString(16).slice(2)}`;
  scratch.push(copy);
  await cp(dir, copy, { recursive: true });
  await writeFile(auditPaths(copy).log, lines.join('\n') + suffix);
  return copy;
}

test('audit: concurrent appends from two processes form one valid chain; tampering is detected', async (t) => {
  const dir = await stateDir();
  const writers = ['writer-a', 'writer-b'].map((who) => node(APPENDER, [moduleUrl('audit'), dir, who, '50']));
  await Promise.all(writers.map((w) => waitForOutput(w, 'ready')));
  const done = writers.map((w) => waitForOutput(w, 'done'));
  for (const w of writers) w.stdin?.end('go\n');
  const audit = new AuditLog(dir);
  const own = Array.from({ length: 10 }, (_, i) =>
    audit.append({ event: 'halt', operator: 'parent', detail: String(i) }),
  );
  await Promise.all([...done, ...own]);

  const result = await verify(dir);
  assert.deepEqual(result, { ok: true, lines: 110, problems: [] });
  const lines = await logLines(dir);
  const records = lines.map((l) => JSON.parse(l) as AuditRecord);
  assert.deepEqual(
    records.map((r) => r.seq),
    Array.from({ length: 110 }, (_, i) => i),
  );
  for (const who of ['writer-a', 'writer-b', 'parent']) {
    // Within a process, appends keep the order they were made in.
    const mine = records.filter((r) => r.operator === who).map((r) => Number(r.detail));
    assert.deepEqual(mine, [...mine.keys()], `${who} entries out of order`);
  }
  const switches = records.filter((r, i) => i > 0 && r.operator !== records[i - 1]?.operator).length;
  t.diagnostic(`the log switches writer ${switches} times`);

  const middle = 55;
  const edited = [...lines];
  edited[middle - 1] = (lines[middle - 1] ?? '').replace(
    /"detail":"(\d)/,
    (_m, d: string) => `"detail":"${(Number(d) + 1) % 10}`,
  );
  assert.notEqual(edited[middle - 1], lines[middle - 1]);
  const afterEdit = await verify(await tampered(dir, edited));
  assert.equal(afterEdit.ok, false);
  assert.deepEqual(afterEdit.problems[0], { line: middle, message: 'hash does not match the line (line edited)' });

  const removed = await verify(
    await tampered(
      dir,
      lines.filter((_, i) => i !== middle - 1),
    ),
  );
  assert.equal(removed.ok, false);
  assert.equal(removed.problems[0]?.line, middle);
  assert.match(removed.problems[0]?.message ?? '', /seq is 55, expected 54/);

  const lastRemoved = await verify(await tampered(dir, lines.slice(0, -1)));
  assert.equal(lastRemoved.ok, false);
  assert.deepEqual(lastRemoved.problems, [
    { line: 109, message: 'audit.head names seq 109 but the last line is seq 108 (lines removed from the end)' },
  ]);

  const garbageDir = await tampered(dir, lines);
  await appendFile(auditPaths(garbageDir).log, 'rm -rf / # not a record\n');
  const garbage = await verify(garbageDir);
  assert.equal(garbage.ok, false);
  assert.equal(garbage.lines, 111);
  assert.deepEqual(garbage.problems[0], { line: 111, message: 'not a JSON object' });
});
