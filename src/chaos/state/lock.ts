/**
 * One experiment at a time per state directory: `<stateDir>/run.lock`, created with
 * `O_EXCL`, names the run that holds it. A runner killed with SIGKILL cannot remove it, so
 * a lock whose process is gone (on this host) is stale and taken over; the process is
 * named by pid, start time and boot id, so a restarted container whose runner has the old
 * pid again still takes over the lock of its previous life.
 */
import { join } from 'node:path';
import { CanaryError, ERROR_CODES } from '../../errors.js';
import { busyError } from './errors.js';
import {
  createExclusive,
  holderDead,
  readLockFile,
  releaseLockFile,
  removeIfUnchanged,
  type FoundLock,
} from './lockfile.js';
import { processIdentity } from './process.js';

/** The content of `run.lock`. */
export interface LockInfo {
  pid: number;
  runId: string;
  experiment: string;
  host: string;
  /** The holder's start time and boot (see process.ts); absent in older locks and without /proc. */
  startTicks?: number;
  bootId?: string;
  /** ISO 8601. */
  startedAt: string;
}

/** The lock held by a run. */
export interface RunLock {
  readonly info: LockInfo;
  /** Removes the lock if it still names this run; idempotent. */
  release(): Promise<void>;
}

/**
 * A lock whose content is not a record was cut short between create and write, which takes
 * microseconds; after this long its writer is certainly gone.
 */
const UNREADABLE_STALE_MS = 10_000;

/** Path of the run lock in a state directory. */
export function lockPath(stateDir: string): string {
  return join(stateDir, 'run.lock');
}

function asLockInfo(found: FoundLock): LockInfo | undefined {
  const h = found.holder;
  if (h === undefined) return undefined;
  const { runId, experiment, startedAt, startTicks, bootId } = h;
  if (typeof runId !== 'string' || typeof experiment !== 'string' || typeof startedAt !== 'string') return undefined;
  return {
    pid: h.pid,
    host: h.host,
    ...(typeof startTicks === 'number' ? { startTicks } : {}),
    ...(typeof bootId === 'string' ? { bootId } : {}),
    runId,
    experiment,
    startedAt,
  };
}

function isStale(found: FoundLock): boolean {
  return found.holder === undefined ? found.ageMs > UNREADABLE_STALE_MS : holderDead(found.holder);
}

function busy(stateDir: string, found: FoundLock | undefined): CanaryError {
  const info = found && asLockInfo(found);
  if (info === undefined) {
    return busyError(
      `the chaos state directory is locked by an unreadable lock file ${lockPath(stateDir)}; it is taken over once it is ${UNREADABLE_STALE_MS / 1000}s old`,
    );
  }
  return busyError(
    `experiment "${info.experiment}" is already running (run ${info.runId}, pid ${info.pid} on ${info.host}, since ${info.startedAt}); ` +
      `one experiment at a time per state directory (${lockPath(stateDir)})`,
  );
}

/**
 * Takes the state directory's run lock for one run.
 *
 * @throws CanaryError `CANARY_ERR_BUSY` naming the experiment, run id and pid holding it.
 * @example
 * const lock = await acquireLock(stateDir, { runId, experiment: 'kill-one', pid: process.pid });
 * try { ... } finally { await lock.release(); }
 */
export async function acquireLock(
  stateDir: string,
  owner: { runId: string; experiment: string; pid: number },
): Promise<RunLock> {
  if (!Number.isSafeInteger(owner.pid) || owner.pid <= 0) {
    throw new CanaryError(ERROR_CODES.internal, `invalid pid ${owner.pid} for the run lock`);
  }
  const path = lockPath(stateDir);
  const info: LockInfo = {
    ...processIdentity(owner.pid),
    runId: owner.runId,
    experiment: owner.experiment,
    startedAt: new Date().toISOString(),
  };
  const text = `${JSON.stringify(info)}\n`;
  const handle: RunLock = {
    info,
    release: async () => {
      await releaseLockFile(path, text);
    },
  };
  if (await createExclusive(path, text)) return handle;
  const found = await readLockFile(path);
  if (found !== undefined && !isStale(found)) throw busy(stateDir, found);
  // Gone in the meantime, or stale: one more attempt. Whoever wins it holds the lock.
  if (found !== undefined) await removeIfUnchanged(path, found.text);
  if (await createExclusive(path, text)) return handle;
  throw busy(stateDir, await readLockFile(path));
}

/**
 * The current run lock, for status displays; undefined when no run holds the directory.
 *
 * @throws CanaryError `CANARY_ERR_STATE` when the lock file exists but is not a lock record.
 */
export async function readLock(stateDir: string): Promise<LockInfo | undefined> {
  const found = await readLockFile(lockPath(stateDir));
  if (found === undefined) return undefined;
  const info = asLockInfo(found);
  if (info === undefined) throw new CanaryError(ERROR_CODES.state, `${lockPath(stateDir)} is not a valid lock record`);
  return info;
}
