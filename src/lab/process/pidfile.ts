/**
 * Pid files of lab processes: written atomically once the process listens, so a reader
 * (the supervisor, a chaos `pidFiles` target) never sees a half-written or premature one.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';

/** Writes `pid` to `path` through a temp file and a rename (atomic on one file system). */
export async function writePidFile(path: string, pid: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  // The temp name does not end in .pid, so `*.pid` globs never match it.
  const temp = `${path}.${pid}.tmp`;
  await writeFile(temp, `${pid}\n`);
  await rename(temp, path);
}

/** The pid `path` holds, or `undefined` when it is missing or holds no pid. */
export async function readPid(path: string): Promise<number | undefined> {
  try {
    return parsePid(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Removes `path` only while it still names `pid`: a newer process started in the
 * meantime (a restart racing a slow exit) keeps its pid file. Synchronous because it
 * runs on the way out of a process.
 */
export function removePidFileSync(path: string, pid: number): void {
  try {
    if (parsePid(readFileSync(path, 'utf8')) === pid) unlinkSync(path);
  } catch {
    // Already gone, or unreadable: nothing of ours to remove.
  }
}

/** Like {@link readPid}, synchronously (for status listings). */
export function readPidSync(path: string): number | undefined {
  try {
    return parsePid(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * True when `pid` is alive and, where /proc exists, runs `script`: a stale pid file may
 * name a pid the kernel has since given to an unrelated process, which must never be
 * signalled or taken for a running lab process.
 */
export function runsScript(pid: number, script: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(script);
  } catch (err) {
    // No /proc (not Linux): liveness is all there is to go on.
    return (err as NodeJS.ErrnoException).code !== 'ENOENT' || !existsSync('/proc/self');
  }
}

/** True while a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parsePid(text: string): number | undefined {
  const trimmed = text.trim();
  return /^[0-9]{1,10}$/.test(trimmed) && Number(trimmed) > 1 ? Number(trimmed) : undefined;
}
