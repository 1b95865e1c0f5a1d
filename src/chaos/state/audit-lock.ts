/**
 * `<stateDir>/audit.lock`: held by one process for the milliseconds of one append, so that
 * lines from concurrent processes never interleave and each `prev` names the line before it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
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

/**
 * A lock this old whose holder is gone (or unreadable) is taken over. The age guard is
 * there because the pid check can be wrong (pid namespaces sharing a volume) while an
 * append takes milliseconds: only a lock that is both old and orphaned is broken.
 */
export const AUDIT_LOCK_STALE_MS = 10_000;
/** Waiting longer than the stale age lets an orphaned lock be taken over before giving up. */
const ACQUIRE_TIMEOUT_MS = 15_000;
/** Small: an append holds the lock for a few milliseconds, and a waiter must notice it is free. */
const MAX_BACKOFF_MS = 10;

function isStale(found: FoundLock): boolean {
  if (found.ageMs < AUDIT_LOCK_STALE_MS) return false;
  return found.holder === undefined || holderDead(found.holder);
}

/**
 * Takes the audit lock, retrying with a short jittered backoff; returns its release.
 *
 * @throws CanaryError `CANARY_ERR_BUSY` when it stays held by a live process for too long.
 */
export async function acquireAuditLock(path: string): Promise<() => Promise<void>> {
  const text = JSON.stringify({ ...processIdentity(), at: new Date().toISOString() });
  const deadline = Date.now() + ACQUIRE_TIMEOUT_MS;
  let backoff = 1;
  for (;;) {
    if (await createExclusive(path, text)) {
      return async () => {
        await releaseLockFile(path, text);
      };
    }
    const found = await readLockFile(path);
    if (found !== undefined && isStale(found)) {
      await removeIfUnchanged(path, found.text);
      continue;
    }
    if (Date.now() > deadline) {
      const who = found?.holder ? `pid ${found.holder.pid} on ${found.holder.host}` : 'an unreadable lock';
      throw busyError(`the audit log is locked by ${who} (${path}); gave up after ${ACQUIRE_TIMEOUT_MS / 1000}s`);
    }
    // Jitter keeps two waiting processes from retrying in lockstep.
    await sleep(backoff / 2 + Math.random() * backoff);
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }
}
