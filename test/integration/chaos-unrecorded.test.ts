/**
 * Reverting when nothing can be recorded: the journal store and audit log point into a
 * state directory that is a regular file (every write fails with ENOTDIR or EEXIST, for
 * root too), and every fault is still reverted, each missing record reported; only a
 * fault that cannot be journaled before it is applied is not applied at all.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyFault, revertAll, type FaultContext } from '../../src/chaos/faults.js';
import type { FaultRecord } from '../../src/chaos/model/journal.js';
import { AuditLog } from '../../src/chaos/state/audit.js';
import { JournalStore } from '../../src/chaos/state/journal.js';
import { errorMessage, isCanaryError } from '../../src/errors.js';
import { procState } from '../helpers/chaos.js';
import { makeJournal } from '../helpers/journal.js';
import { eventually } from '../helpers/wait.js';

const children: ChildProcess[] = [];
let scratch: string | undefined;

after(async () => {
  for (const child of children) {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  }
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function stoppedVictim(dir: string, name: string): Promise<FaultRecord> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000); console.log("up")'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  await once(child.stdout, 'data');
  const pid = child.pid as number;
  const pidFile = join(dir, `${name}.pid`);
  await writeFile(pidFile, `${pid}\n`);
  process.kill(pid, 'SIGSTOP');
  await eventually(() => Promise.resolve(procState(pid) === 'T' ? true : undefined), 5_000, `${name} stopped`);
  const call = { kind: 'signal' as const, pid, pidFile };
  return {
    step: `method[${children.length - 1}]`,
    instance: name,
    apply: { ...call, signal: 'SIGSTOP' },
    revert: { ...call, signal: 'SIGCONT' },
    seq: children.length - 1,
    status: 'applied',
  };
}

test('revertAll goes on past journal and audit writes that fail, and reports each one', async () => {
  scratch = await mkdtemp(join(tmpdir(), 'canary-chaos-unrecorded-'));
  const faults = [await stoppedVictim(scratch, 'v1'), await stoppedVictim(scratch, 'v2')];
  const stateDir = join(scratch, 'state');
  await writeFile(stateDir, 'not a directory\n');
  const missing: string[] = [];
  const ctx: FaultContext = {
    journal: makeJournal('20250301T120000Z-kill-one-cccccc', { faults }),
    store: new JournalStore(stateDir),
    audit: new AuditLog(stateDir),
    operator: 'alice',
    unrecorded: (what, error) => missing.push(`${what}: ${errorMessage(error)}`),
  };

  assert.equal(await revertAll(ctx, AbortSignal.timeout(30_000)), true);

  for (const child of children) assert.notEqual(procState(child.pid as number), 'T', 'resumed');
  assert.deepEqual(
    ctx.journal.faults.map((f) => f.status),
    ['reverted', 'reverted'],
  );
  assert.equal(missing.length, 4, missing.join('\n'));
  assert.match(missing[0] ?? '', /^the journal after reverting method\[1\] on v2: ENOTDIR/);
  assert.match(missing[1] ?? '', /^the audit line fault\.revert method\[1\] on v2 \(ok\): /);
  assert.match(missing[2] ?? '', /^the journal after reverting method\[0\] on v1: ENOTDIR/);
});

test('applyFault: a fault whose write-ahead fails is not applied and leaves no record', async () => {
  scratch ??= await mkdtemp(join(tmpdir(), 'canary-chaos-unrecorded-'));
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000); console.log("up")'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  await once(child.stdout, 'data');
  const pid = child.pid as number;
  const pidFile = join(scratch, 'v3.pid');
  await writeFile(pidFile, `${pid}\n`);
  const stateDir = join(scratch, 'state-file');
  await writeFile(stateDir, 'not a directory\n');
  const missing: string[] = [];
  const ctx: FaultContext = {
    journal: makeJournal('20250301T120000Z-kill-one-dddddd'),
    store: new JournalStore(stateDir),
    audit: new AuditLog(stateDir),
    operator: 'alice',
    unrecorded: (what) => missing.push(what),
  };
  const call = { kind: 'signal' as const, pid, pidFile };
  const planned = {
    step: 'method[0]',
    instance: 'v3',
    apply: { ...call, signal: 'SIGSTOP' as const },
    revert: { ...call, signal: 'SIGCONT' as const },
  };
  await assert.rejects(
    applyFault(ctx, planned, AbortSignal.timeout(10_000)),
    (err) =>
      isCanaryError(err, 'CANARY_ERR_STATE') && /not applied: the journal cannot be written first/.test(err.message),
  );
  assert.deepEqual(ctx.journal.faults, []);
  assert.deepEqual(missing, ['the journal before applying method[0] on v3']);
  assert.notEqual(procState(pid), 'T', 'never stopped');
});

test('a lock file whose write fails (file size limit, as on a full disk) is not left behind', async () => {
  scratch ??= await mkdtemp(join(tmpdir(), 'canary-chaos-unrecorded-'));
  const stateDir = join(scratch, 'state-full');
  const moduleUrl = (name: string): string => new URL(`../../src/chaos/state/${name}.js`, import.meta.url).href;
  // Creating a file still works under `ulimit -f 0`; writing a byte into it fails (EFBIG).
  const script = [
    `const { AuditLog } = await import(${JSON.stringify(moduleUrl('audit'))});`,
    `const { acquireLock } = await import(${JSON.stringify(moduleUrl('lock'))});`,
    `const dir = ${JSON.stringify(stateDir)};`,
    'const out = [];',
    "await new AuditLog(dir).append({ event: 'halt', operator: 'alice' }).catch((e) => out.push(e.code));",
    "await acquireLock(dir, { runId: 'r', experiment: 'e', pid: process.pid }).catch((e) => out.push(e.code));",
    'console.log(JSON.stringify(out));',
  ].join('\n');
  const child = spawn('sh', ['-c', 'ulimit -f 0 && exec "$0" --input-type=module -e "$1"', process.execPath, script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(out), ['EFBIG', 'EFBIG'], 'both writes failed');
  assert.equal(existsSync(join(stateDir, 'audit.lock')), false, 'no empty audit lock blocks the next append');
  assert.equal(existsSync(join(stateDir, 'run.lock')), false, 'no empty run lock blocks the next run');
});
