/**
 * Runner and lock liveness by pid, start time and boot id. A container restarted after
 * SIGKILL or an OOM kill runs its new runner as the same pid (1) under the same hostname:
 * the journal and lock its previous life left must read as a dead runner's, or recovery
 * reverts nothing and the lock is held forever. These tests leave a journal and a lock
 * "by this very process" in an earlier life and recover them from this process.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Journal } from '../../src/chaos/model/journal.js';
import { recoverUnfinished } from '../../src/chaos/recover.js';
import { isBusyError } from '../../src/chaos/state/errors.js';
import { JournalStore } from '../../src/chaos/state/journal.js';
import { acquireLock, lockPath } from '../../src/chaos/state/lock.js';
import { bootId, processIdentity, runnerGone, startTicksOf, thisHost } from '../../src/chaos/state/process.js';
import { createLogger } from '../../src/log.js';
import { procState } from '../helpers/chaos.js';
import { makeJournal } from '../helpers/journal.js';
import { eventually } from '../helpers/wait.js';

const hasProc = existsSync('/proc/self/stat') && bootId() !== undefined;
const needsProc = hasProc ? {} : { skip: 'needs /proc (start times and boot id are read there)' };
const children = new Set<ChildProcess>();
const scratch: string[] = [];

after(async () => {
  for (const child of children) {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  }
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'canary-chaos-identity-'));
  scratch.push(dir);
  return dir;
}

/** A real process, stopped with SIGSTOP as a `process` fault stops it, and its pid file. */
async function stoppedVictim(dir: string): Promise<{ pid: number; pidFile: string }> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000); console.log("up")'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  await once(child.stdout, 'data');
  const pid = child.pid as number;
  const pidFile = join(dir, 'victim.pid');
  await writeFile(pidFile, `${pid}\n`);
  process.kill(pid, 'SIGSTOP');
  // The kernel stops it asynchronously.
  await eventually(() => Promise.resolve(procState(pid) === 'T' ? true : undefined), 5_000, 'the victim stopped');
  return { pid, pidFile };
}

/** A running journal that says this process stopped the victim, in the life `who` describes. */
function journalOf(runId: string, who: object, victim: { pid: number; pidFile: string }): Journal {
  const ticks = startTicksOf(victim.pid);
  const call = {
    kind: 'signal' as const,
    pid: victim.pid,
    pidFile: victim.pidFile,
    ...(ticks ? { startTicks: ticks } : {}),
  };
  return makeJournal(runId, {
    ...who,
    startedAt: new Date().toISOString(),
    faults: [
      {
        step: 'method[0]',
        instance: 'v1',
        apply: { ...call, signal: 'SIGSTOP' },
        revert: { ...call, signal: 'SIGCONT' },
        seq: 0,
        status: 'applied',
      },
    ],
  });
}

/** Writes a journal and the run lock as the runner left them when it died. */
async function leftBehind(stateDir: string, journal: Journal, who: object): Promise<void> {
  await new JournalStore(stateDir).create(journal);
  const lock = { ...who, runId: journal.runId, experiment: journal.experiment, startedAt: journal.startedAt };
  await mkdir(stateDir, { recursive: true });
  await writeFile(lockPath(stateDir), `${JSON.stringify(lock)}\n`);
}

const me = processIdentity();
const earlierLives = [
  // The machine rebooted (or the state dir moved with its volume): every process of that boot is gone.
  { life: 'an earlier boot', who: { ...me, bootId: '00000000-0000-4000-8000-000000000000' } },
  // A container restarted on the same kernel: same boot, same pid and hostname, another start time.
  { life: 'an earlier start of the same pid', who: { ...me, startTicks: (me.startTicks ?? 0) + 1 } },
];

for (const { life, who } of earlierLives) {
  test(
    `a journal and lock left by our own pid in ${life} are recovered: fault reverted, lock taken over`,
    needsProc,
    async () => {
      const dir = await scratchDir();
      const stateDir = join(dir, 'state');
      const victim = await stoppedVictim(dir);
      const journal = journalOf('20250301T120000Z-kill-one-aaaaaa', who, victim);
      await leftBehind(stateDir, journal, who);
      assert.equal(journal.pid, process.pid, 'the dead runner had our pid');

      const recovered = await recoverUnfinished(stateDir, {
        operator: 'alice',
        logger: createLogger({ level: 'silent' }),
      });

      assert.deepEqual(
        recovered.map((r) => [r.runId, r.reverted, r.ok]),
        [[journal.runId, 1, true]],
      );
      assert.notEqual(procState(victim.pid), 'T', 'the victim was resumed');
      const after = await new JournalStore(stateDir).load(journal.runId);
      assert.equal(after.status, 'interrupted');
      assert.equal(after.faults[0]?.status, 'reverted');
      assert.equal(existsSync(lockPath(stateDir)), false, 'the stale lock was taken over and released');
    },
  );
}

test(
  'a journal and lock of this very process, in this life, are alive: nothing is recovered, the lock is busy',
  needsProc,
  async () => {
    const dir = await scratchDir();
    const stateDir = join(dir, 'state');
    const victim = await stoppedVictim(dir);
    const journal = journalOf('20250301T120000Z-kill-one-bbbbbb', me, victim);
    await leftBehind(stateDir, journal, me);
    assert.deepEqual(await new JournalStore(stateDir).unfinished(), []);
    await assert.rejects(acquireLock(stateDir, { runId: 'next', experiment: 'next', pid: process.pid }), (err) =>
      isBusyError(err),
    );
    assert.equal(procState(victim.pid), 'T', 'a live run is left alone');
    process.kill(victim.pid, 'SIGCONT');
  },
);

test('runnerGone: older records without start time or boot id keep the pid-only rule; other hosts are never judged', () => {
  const host = thisHost();
  assert.equal(runnerGone({ pid: process.pid, host }), false, 'our pid, no identity fields: alive (as before)');
  assert.equal(runnerGone({ pid: process.pid, host: `${host}-elsewhere`, bootId: 'x' }), false);
  assert.equal(runnerGone({ pid: process.pid, host, startTicks: 'not a number', bootId: 7 }), false);
  if (hasProc) {
    assert.equal(runnerGone({ ...me }), false, 'this process, all fields: alive');
    assert.equal(runnerGone({ ...me, bootId: 'another boot' }), true);
    assert.equal(runnerGone({ ...me, startTicks: (me.startTicks ?? 0) + 1 }), true);
  }
});

test('a new run lock and journal record pid, start time and boot id', needsProc, async () => {
  const dir = await scratchDir();
  const lock = await acquireLock(join(dir, 'state'), { runId: 'r', experiment: 'e', pid: process.pid });
  try {
    const written = JSON.parse(await readFile(lockPath(join(dir, 'state')), 'utf8')) as Record<string, unknown>;
    assert.equal(written.pid, process.pid);
    assert.equal(written.startTicks, startTicksOf(process.pid));
    assert.equal(written.bootId, bootId());
    const journal = makeJournal('r', { ...processIdentity() });
    assert.equal(journal.startTicks, written.startTicks);
  } finally {
    await lock.release();
  }
});

test('a journal whose start time or boot id has the wrong type is reported, not trusted', async () => {
  const dir = await scratchDir();
  const store = new JournalStore(join(dir, 'state'));
  await mkdir(store.dir, { recursive: true });
  const good = makeJournal('20250301T120000Z-kill-one-eeeeee', { ...me });
  await writeFile(store.path(good.runId), JSON.stringify(good));
  for (const [runId, over] of [
    ['20250301T120000Z-kill-one-ffffff', { startTicks: '123' }],
    ['20250301T120000Z-kill-one-111111', { bootId: 42 }],
  ] as const) {
    await writeFile(store.path(runId), JSON.stringify({ ...makeJournal(runId), ...over }));
  }
  const { journals, problems } = await store.scan();
  assert.deepEqual(
    journals.map((j) => j.runId),
    [good.runId],
  );
  assert.deepEqual(problems.map((p) => p.message).sort(), [
    'not a chaos journal: bootId must be a string',
    'not a chaos journal: startTicks must be an integer',
  ]);
});
