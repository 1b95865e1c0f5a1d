/**
 * Crash-safe file writes for the chaos state directory. A runner can be killed (or the
 * machine can lose power) at any instruction; what it leaves on disk must still be
 * readable by the process that reverts its faults.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errnoCode } from './process.js';

/** Directories hold journals and audit trails of production changes: owner only. */
export const DIR_MODE = 0o700;
/** Files in the state directory: owner only, same reason. */
export const FILE_MODE = 0o600;

/** Creates a directory (and its parents) owner-only; an existing one is left as it is. */
export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
}

/**
 * Flushes a directory's entries. A rename or a new file is a change to the directory, not
 * to the file: without this, a crash can forget the rename even though the data is on disk.
 */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (err) {
    // Some filesystems cannot fsync a directory; their renames are then as durable as they get.
    if (errnoCode(err) !== 'EINVAL' && errnoCode(err) !== 'EISDIR') throw err;
  } finally {
    await handle.close();
  }
}

/** A hidden name next to the target: same directory, so a rename never crosses filesystems. */
function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Writes `text` to a new temp file next to `path` and flushes it to disk; returns its path. */
async function writeTemp(path: string, text: string): Promise<string> {
  await ensureDir(dirname(path));
  const temp = tempPathFor(path);
  const handle = await open(temp, 'wx', FILE_MODE);
  try {
    await handle.writeFile(text, 'utf8');
    // The data must be on disk before the rename makes it visible, or a crash could
    // publish a name that points at an empty or partial file.
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  return temp;
}

/**
 * Replaces `path` with `text` atomically and durably: write a temp file in the same
 * directory, fsync it, rename it over the target (atomic on POSIX), fsync the directory.
 * After a crash at any point the file holds either the old or the new text, never a mix.
 *
 * @example
 * await writeFileDurable(join(stateDir, 'HALT'), JSON.stringify(record));
 */
export async function writeFileDurable(path: string, text: string): Promise<void> {
  const temp = await writeTemp(path, text);
  try {
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await fsyncDir(dirname(path));
}

/**
 * Like {@link writeFileDurable}, but only when `path` does not exist yet: the complete
 * temp file is hard-linked to the target, which fails atomically if the name is taken.
 * Readers therefore never see the file empty or half written.
 *
 * @returns false when `path` already existed (nothing was written).
 */
export async function createFileDurable(path: string, text: string): Promise<boolean> {
  const temp = await writeTemp(path, text);
  try {
    await link(temp, path);
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return false;
    throw err;
  } finally {
    await rm(temp, { force: true });
  }
  await fsyncDir(dirname(path));
  return true;
}

/**
 * Appends one line (a newline is added) and fsyncs before returning, so an entry that the
 * caller was told is written survives a crash. One `write` call with `O_APPEND` puts the
 * whole line at the end of the file even when another process appends too.
 */
export async function appendLineDurable(path: string, line: string): Promise<void> {
  await ensureDir(dirname(path));
  let created = true;
  let handle = await open(path, 'ax', FILE_MODE).catch((err: unknown) => {
    if (errnoCode(err) !== 'EEXIST') throw err;
    created = false;
    return undefined;
  });
  handle ??= await open(path, 'a', FILE_MODE);
  try {
    await handle.write(`${line}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  // A new file's name lives in the directory: flush it too, or a crash can lose the file.
  if (created) await fsyncDir(dirname(path));
}
