import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile, appendFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCanaryError } from '../../src/errors.js';
import { appendLineDurable, createFileDurable, writeFileDurable } from '../../src/chaos/state/durable.js';
import { JournalStore, newRunId } from '../../src/chaos/state/journal.js';
import { acquireLock, lockPath, readLock } from '../../src/chaos/state/lock.js';
import {
  halt,
  HALT_POLL_MS,
  haltPath,
  haltStatus,
  resume,
  watchHalt,
  type HaltRecord,
} from '../../src/chaos/state/halt.js';
import { AuditLog, auditPaths, verify, type AuditRecord } from '../../src/chaos/state/audit.js';
import { canonicalJson, GENESIS, sha256 } from '../../src/chaos/state/audit-format.js';
import { isBusyError } from '../../src/chaos/state/errors.js';
import { waitUntil } from '../helpers/wait.js';
import { makeJournal } from '../helpers/journal.js';

/** A fresh state directory per test, removed afterwards. */
async function withStateDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'canary-chaos-state-'));
  try {
    await fn(join(dir, 'state'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A pid that certainly belongs to no process: a child that has already exited and been reaped. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  assert.ok(child.pid > 0);
  return child.pid;
}

const journal = makeJournal;

test('writeFileDurable: the last of many rewrites wins, no temp file is left, owner-only modes', async () => {
  await withStateDir(async (dir) => {
    const path = join(dir, 'nested', 'file.json');
    for (let i = 0; i < 60; i++) await writeFileDurable(path, `{"i":${i}}\n`);
    // Concurrent rewrites each rename a complete file: the result is one of them, never a mix.
    await Promise.all(Array.from({ length: 20 }, (_, i) => writeFileDurable(path, `{"i":${100 + i}}\n`)));
    const { i } = JSON.parse(await readFile(path, 'utf8')) as { i: number };
    assert.ok(i >= 100 && i < 120, `unexpected content ${i}`);
    assert.deepEqual(await readdir(join(dir, 'nested')), ['file.json']);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, 'nested'))).mode & 0o777, 0o700);
  });
});

test('createFileDurable refuses an existing file; appendLineDurable appends whole lines', async () => {
  await withStateDir(async (dir) => {
    const path = join(dir, 'once.json');
    assert.equal(await createFileDurable(path, 'first\n'), true);
    assert.equal(await createFileDurable(path, 'second\n'), false);
    assert.equal(await readFile(path, 'utf8'), 'first\n');
    assert.deepEqual(await readdir(dir), ['once.json']);
    const log = join(dir, 'log.jsonl');
    for (let i = 0; i < 5; i++) await appendLineDurable(log, `{"n":${i}}`);
    assert.equal(await readFile(log, 'utf8'), [0, 1, 2, 3, 4].map((n) => `{"n":${n}}\n`).join(''));
    assert.equal((await stat(log)).mode & 0o777, 0o600);
  });
});

test('journal: create, save, load, list newest first; a corrupt file is skipped and reported', async () => {
  await withStateDir(async (dir) => {
    const warnings: object[] = [];
    const store = new JournalStore(dir, { logger: { warn: (obj) => warnings.push(obj) } });
    const older = journal('20250301T120000Z-kill-one-aaaaaa');
    const newer = journal('20250302T120000Z-kill-one-bbbbbb', { startedAt: '2025-03-02T12:00:00.000Z' });
    await store.create(older);
    await store.create(newer);
    await assert.rejects(
      store.create(older),
      (err) => isCanaryError(err, 'CANARY_ERR_STATE') && /already exists/.test(err.message),
    );
    await store.save({ ...older, status: 'completed', endedAt: '2025-03-01T12:05:00.000Z' });
    assert.equal((await store.load(older.runId)).status, 'completed');
    await writeFile(join(store.dir, '20250303T000000Z-broken-cccccc.json'), '{"version": 1, "runId": ');
    await writeFile(
      join(store.dir, '20250304T000000Z-other-dddddd.json'),
      JSON.stringify(journal('20250304T000000Z-other-dddddd', { pid: -1 })),
    );
    assert.deepEqual(
      (await store.list()).map((j) => j.runId),
      [newer.runId, older.runId],
    );
    const { problems } = await store.scan();
    assert.deepEqual(problems.map((p) => p.file.slice(store.dir.length + 1)).sort(), [
      '20250303T000000Z-broken-cccccc.json',
      '20250304T000000Z-other-dddddd.json',
    ]);
    assert.match(problems.find((p) => p.file.includes('other'))?.message ?? '', /pid must be a positive integer/);
    assert.equal(warnings.length, 2);
    await assert.rejects(
      store.load('20250303T000000Z-broken-cccccc'),
      (err) => isCanaryError(err, 'CANARY_ERR_STATE') && /not valid JSON/.test(err.message),
    );
    await assert.rejects(
      store.load('nope'),
      (err) => isCanaryError(err, 'CANARY_ERR_STATE') && /no journal for run nope/.test(err.message),
    );
    await assert.rejects(store.load('../../etc/passwd'), (err) => isCanaryError(err, 'CANARY_ERR_USAGE'));
  });
});

test('journal: a file whose run id differs from its name is not trusted', async () => {
  await withStateDir(async (dir) => {
    const store = new JournalStore(dir);
    await store.create(journal('r1'));
    await writeFile(store.path('r2'), JSON.stringify(journal('r1')));
    const { journals, problems } = await store.scan();
    assert.deepEqual(
      journals.map((j) => j.runId),
      ['r1'],
    );
    assert.match(problems[0]?.message ?? '', /named for run r2/);
  });
});

test('journal: unfinished only for a dead runner of this host; lastEnded per experiment', async () => {
  await withStateDir(async (dir) => {
    const store = new JournalStore(dir);
    const dead = deadPid();
    await store.create(journal('alive', { pid: process.pid }));
    await store.create(journal('dead', { pid: dead }));
    await store.create(journal('elsewhere', { pid: dead, host: 'another-host.example' }));
    await store.create(
      journal('done', { pid: dead, status: 'completed', experiment: 'latency', endedAt: '2025-03-01T12:10:00.000Z' }),
    );
    await store.create(
      journal('done-later', {
        pid: dead,
        status: 'aborted',
        experiment: 'latency',
        endedAt: '2025-03-01T13:00:00.000Z',
      }),
    );
    assert.deepEqual(
      (await store.unfinished()).map((j) => j.runId),
      ['dead'],
    );
    assert.equal((await store.lastEnded('latency'))?.toISOString(), '2025-03-01T13:00:00.000Z');
    assert.equal(await store.lastEnded('kill-one'), undefined);
  });
});

test('newRunId: UTC stamp, experiment, 6 random hex; safe as a file name', () => {
  const id = newRunId('kill one/../x', new Date('2025-03-01T12:00:05.123Z'));
  assert.match(id, /^20250301T120005Z-kill-one-x-[0-9a-f]{6}$/);
  const ids = new Set(Array.from({ length: 50 }, () => newRunId('e')));
  assert.ok(ids.size >= 49, 'run ids of the same second collide');
  assert.match(new JournalStore('/x').newRunId('probe'), /^\d{8}T\d{6}Z-probe-[0-9a-f]{6}$/);
});

test('lock: a second acquire is refused naming the run; release frees it; release keeps a lock that is not ours', async () => {
  await withStateDir(async (dir) => {
    const first = await acquireLock(dir, { runId: 'run-a', experiment: 'kill-one', pid: process.pid });
    await assert.rejects(acquireLock(dir, { runId: 'run-b', experiment: 'latency', pid: process.pid }), (err) => {
      assert.ok(isBusyError(err), String(err));
      assert.equal(err.code, 'CANARY_ERR_BUSY');
      assert.match(err.message, /experiment "kill-one" is already running \(run run-a, pid \d+ on /);
      return true;
    });
    assert.equal((await readLock(dir))?.runId, 'run-a');
    await first.release();
    assert.equal(await readLock(dir), undefined);
    const second = await acquireLock(dir, { runId: 'run-b', experiment: 'latency', pid: process.pid });
    // Someone else's lock now sits in the file (a takeover): the old handle must not remove it.
    await first.release();
    assert.equal((await readLock(dir))?.runId, 'run-b');
    await writeFile(lockPath(dir), JSON.stringify({ ...second.info, runId: 'run-c' }));
    await second.release();
    assert.equal((await readLock(dir))?.runId, 'run-c');
  });
});

test('lock: an unreadable lock blocks while fresh and is taken over once old', async () => {
  await withStateDir(async (dir) => {
    const first = await acquireLock(dir, { runId: 'run-a', experiment: 'e', pid: process.pid });
    await first.release();
    await writeFile(lockPath(dir), '');
    await assert.rejects(
      acquireLock(dir, { runId: 'run-b', experiment: 'e', pid: process.pid }),
      (err) => isBusyError(err) && /unreadable lock file/.test(err.message),
    );
    const old = new Date(Date.now() - 60_000);
    await utimes(lockPath(dir), old, old);
    const lock = await acquireLock(dir, { runId: 'run-b', experiment: 'e', pid: process.pid });
    assert.equal((await readLock(dir))?.runId, 'run-b');
    await lock.release();
    assert.deepEqual(await readdir(dir), []);
  });
});

test('halt: status, resume, an unreadable HALT still halts, watchHalt fires at once and only once', async () => {
  await withStateDir(async (dir) => {
    assert.equal(await haltStatus(dir), undefined);
    const record = await halt(dir, { operator: 'alice', reason: 'error budget burning' });
    assert.deepEqual(await haltStatus(dir), record);
    assert.equal(record.host, hostname());
    const fired: HaltRecord[] = [];
    const watcher = watchHalt(dir, (r) => fired.push(r));
    await waitUntil(() => fired.length > 0, 5_000, 'the watcher to report the halt');
    // Several poll intervals pass on purpose: a second report, which must not come, would arrive in them.
    await new Promise((r) => setTimeout(r, 3 * HALT_POLL_MS));
    watcher.close();
    assert.equal(fired.length, 1);
    assert.equal(fired[0]?.operator, 'alice');
    assert.deepEqual(await resume(dir), record);
    assert.equal(await haltStatus(dir), undefined);
    assert.equal(await resume(dir), undefined);
    await writeFile(haltPath(dir), 'not json');
    assert.match((await haltStatus(dir))?.reason ?? '', /not a halt record/);
  });
});

test('halt: a closed watcher never fires', async () => {
  await withStateDir(async (dir) => {
    let fired = 0;
    const watcher = watchHalt(dir, () => fired++);
    // Time passes on purpose, here and after the halt: the watcher is closed while it polls,
    // and the polls it would have made after the halt must report nothing.
    await new Promise((r) => setTimeout(r, 1.5 * HALT_POLL_MS));
    watcher.close();
    await halt(dir, { operator: 'bob', reason: 'test' });
    await new Promise((r) => setTimeout(r, 3 * HALT_POLL_MS));
    assert.equal(fired, 0);
  });
});

test('audit: canonical JSON ignores key order and undefined fields', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [1, 'x'], c: undefined, b: null } }),
    '{"a":{"b":null,"d":[1,"x"]},"b":1}',
  );
  assert.equal(canonicalJson({ a: 1, b: 2 }), canonicalJson({ b: 2, a: 1 }));
});

test('audit: appends chain by hash, the head names the last line, verify is ok', async () => {
  await withStateDir(async (dir) => {
    const audit = new AuditLog(dir);
    const call = { kind: 'exec' as const, argv: ['systemctl', 'stop', 'api'], env: {}, timeoutMs: 5000 };
    await Promise.all([
      audit.append({ event: 'run.start', operator: 'alice', experiment: 'kill-one', runId: 'r1' }),
      audit.append({ event: 'fault.apply', operator: 'alice', runId: 'r1', call, outcome: 'ok' }),
      audit.append({ event: 'run.end', operator: 'alice', runId: 'r1', outcome: 'completed' }),
    ]);
    const lines = (await readFile(auditPaths(dir).log, 'utf8')).trimEnd().split('\n');
    const records = lines.map((l) => JSON.parse(l) as AuditRecord);
    assert.deepEqual(
      records.map((r) => [r.seq, r.event, r.host]),
      [
        [0, 'run.start', hostname()],
        [1, 'fault.apply', hostname()],
        [2, 'run.end', hostname()],
      ],
    );
    assert.equal(records[0]?.prev, GENESIS);
    assert.equal(records[1]?.prev, sha256(lines[0] ?? ''));
    assert.equal(records[2]?.prev, sha256(lines[1] ?? ''));
    assert.deepEqual(records[1]?.call, call);
    assert.deepEqual(JSON.parse(await readFile(auditPaths(dir).head, 'utf8')), {
      seq: 2,
      hash: sha256(lines[2] ?? ''),
    });
    assert.deepEqual(await verify(dir), { ok: true, lines: 3, problems: [] });
    await assert.rejects(audit.append({ event: 'halt', operator: ' ' }), (err) =>
      isCanaryError(err, 'CANARY_ERR_USAGE'),
    );
    assert.deepEqual(await readdir(dir), ['audit.head', 'audit.jsonl']);
  });
});

test('audit: swapped lines and a missing head are detected; an empty log verifies', async () => {
  await withStateDir(async (dir) => {
    assert.deepEqual(await verify(dir), { ok: true, lines: 0, problems: [] });
    const audit = new AuditLog(dir);
    for (let i = 0; i < 4; i++) await audit.append({ event: 'fault.apply', operator: 'alice', detail: `step ${i}` });
    const lines = (await readFile(auditPaths(dir).log, 'utf8')).trimEnd().split('\n');
    await writeFile(auditPaths(dir).log, [lines[0], lines[2], lines[1], lines[3]].join('\n') + '\n');
    const swapped = await verify(dir);
    assert.equal(swapped.ok, false);
    assert.equal(swapped.problems[0]?.line, 2);
    await writeFile(auditPaths(dir).log, lines.join('\n') + '\n');
    assert.equal((await verify(dir)).ok, true);
    await rm(auditPaths(dir).head);
    assert.deepEqual((await verify(dir)).problems, [{ line: 4, message: 'audit.head is missing' }]);
  });
});

test('audit: after a torn last line, appends continue the chain and only that line is reported', async () => {
  await withStateDir(async (dir) => {
    const audit = new AuditLog(dir);
    await audit.append({ event: 'run.start', operator: 'alice' });
    await appendFile(auditPaths(dir).log, '{"seq":1,"time":"2025');
    await audit.append({ event: 'recover', operator: 'agent' });
    const lines = (await readFile(auditPaths(dir).log, 'utf8')).trimEnd().split('\n');
    assert.equal((JSON.parse(lines[2] ?? '{}') as AuditRecord).seq, 1);
    const result = await verify(dir);
    assert.deepEqual(result.problems, [{ line: 2, message: 'not a JSON object' }]);
    assert.equal(result.lines, 3);
  });
});

test('audit: a stale audit lock of a dead process is taken over; a fresh one of a live process is waited for', async () => {
  await withStateDir(async (dir) => {
    const audit = new AuditLog(dir);
    await audit.append({ event: 'run.start', operator: 'alice' });
    const { lock } = auditPaths(dir);
    await writeFile(lock, JSON.stringify({ pid: deadPid(), host: hostname(), at: '2025-01-01T00:00:00Z' }));
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    await audit.append({ event: 'halt', operator: 'alice' });
    assert.equal((await verify(dir)).lines, 2);
    // Held by this (live) process: the append waits until it is released.
    await writeFile(lock, JSON.stringify({ pid: process.pid, host: hostname(), at: new Date().toISOString() }));
    const pending = audit.append({ event: 'resume', operator: 'alice' });
    // Time passes on purpose: the append must still be waiting for the lock after it.
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await verify(dir)).lines, 2);
    await rm(lock);
    await pending;
    assert.deepEqual(await verify(dir), { ok: true, lines: 3, problems: [] });
  });
});
