/**
 * Lock files created with `O_EXCL`: the primitives under the run lock and the audit lock.
 * Creating a file that must not exist is atomic on local filesystems, so exactly one
 * process wins; the rest is about recognising the file of a process that died holding it.
 */
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ensureDir, FILE_MODE } from './durable.js';
import { errnoCode, processIdentity, runnerGone, type RecordedProcess } from './process.js';

/** What every lock file holds at least: who holds it (see process.ts for the identity fields). */
export type LockHolder = RecordedProcess;

/** A lock file as found on disk. */
export interface FoundLock {
  /** The exact content, compared before removing a stale lock. */
  text: string;
  /** Parsed holder; undefined when the content is not a valid record (e.g. cut short). */
  holder: (LockHolder & Record<string, unknown>) | undefined;
  /** Time since the file was last modified. */
  ageMs: number;
}

/** A breaker is held for the microseconds of one compare-and-remove; older means orphaned. */
const BREAKER_STALE_MS = 10_000;

/**
 * Creates `path` with `text` unless it exists. No fsync: a lock only matters while its
 * holder runs, and a crash of the machine ends every holder anyway.
 *
 * @returns false when the file already exists.
 */
export async function createExclusive(path: string, text: string): Promise<boolean> {
  await ensureDir(dirname(path));
  let handle;
  try {
    handle = await open(path, 'wx', FILE_MODE);
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return false;
    throw err;
  }
  try {
    await handle.writeFile(text, 'utf8');
  } catch (err) {
    await handle.close();
    // Ours, but empty or cut short (a full disk): left there, it would block every other
    // writer until it is old enough to count as stale, and a rollback has no time for that.
    await unlink(path).catch(() => undefined);
    throw err;
  }
  await handle.close();
  return true;
}

/** Parses a holder record; anything without a positive pid and a host is not one. */
export function parseHolder(text: string): FoundLock['holder'] {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const record = value as Record<string, unknown>;
    const { pid, host } = record;
    if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0 || typeof host !== 'string') return undefined;
    return { ...record, pid, host };
  } catch {
    return undefined;
  }
}

/** Reads a lock file; undefined when there is none. */
export async function readLockFile(path: string): Promise<FoundLock | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { text, holder: parseHolder(text), ageMs: Math.max(0, Date.now() - info.mtimeMs) };
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/** Whether the holder is a process of this host that no longer exists (see {@link runnerGone}). */
export function holderDead(holder: LockHolder): boolean {
  return runnerGone(holder);
}

/** Removes a file only if it still has exactly `text`. */
async function unlinkIfText(path: string, text: string): Promise<boolean> {
  const current = await readLockFile(path);
  if (current === undefined) return true;
  if (current.text !== text) return false;
  await unlink(path).catch((err: unknown) => {
    if (errnoCode(err) !== 'ENOENT') throw err;
  });
  return true;
}

/**
 * Removes the lock at `path` if it still holds exactly `expected` (a stale lock found a
 * moment ago). Reading and removing are two steps; a second process doing the same could
 * otherwise remove the fresh lock the first one just created. A breaker file, itself
 * `O_EXCL`, makes the compare-and-remove one step among processes.
 *
 * @returns true when the stale lock is gone (removed here or by someone else), false when
 *   the file changed or another process is breaking it right now.
 */
export async function removeIfUnchanged(path: string, expected: string): Promise<boolean> {
  const breaker = `${path}.break`;
  const mine = JSON.stringify({ ...processIdentity(), at: new Date().toISOString() });
  if (!(await createExclusive(breaker, mine))) {
    const found = await readLockFile(breaker);
    const orphaned =
      found !== undefined &&
      (found.ageMs > BREAKER_STALE_MS || (found.holder !== undefined && holderDead(found.holder)));
    if (orphaned) await unlinkIfText(breaker, found.text);
    return false;
  }
  try {
    return await unlinkIfText(path, expected);
  } finally {
    await unlinkIfText(breaker, mine);
  }
}

/** Removes our own lock; a file that someone else holds by now is left alone. */
export async function releaseLockFile(path: string, ours: string): Promise<boolean> {
  const current = await readLockFile(path);
  if (current === undefined || current.text !== ours) return false;
  // Nobody replaces a lock whose holder is alive, and we are: no breaker needed here.
  return unlinkIfText(path, ours);
}
