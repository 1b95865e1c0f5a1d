/**
 * Reading pid files, shared by planning (which resolves `{pid}` and signal targets) and
 * the signal executor (which re-reads the file just before signalling).
 */
import { readFile } from 'node:fs/promises';
import { errorMessage } from '../../errors.js';
import { startTicksOf } from '../state/process.js';

/** What a pid file held: a usable pid, or why there is none. */
export type PidRead = { ok: true; pid: number } | { ok: false; error: string; missing: boolean };

/**
 * True for a pid that names one process other than init. `kill(0)` signals the caller's
 * own process group, a negative pid a whole group, `kill(-1)` every process the caller
 * may signal, and pid 1 is init: none of those is ever a chaos target.
 */
export function isSignallablePid(pid: number): boolean {
  return Number.isSafeInteger(pid) && pid > 1;
}

/** Reads `path` now and returns the pid it holds: a trimmed decimal integer above 1. */
export async function readPidFile(path: string): Promise<PidRead> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, missing: true, error: `pid file ${path} does not exist` };
    return { ok: false, missing: false, error: `pid file ${path} cannot be read: ${errorMessage(err)}` };
  }
  const trimmed = text.trim();
  // Digits only: parseInt would accept "12abc" or "1e3" and signal the wrong process.
  if (!/^[0-9]{1,10}$/.test(trimmed)) {
    return {
      ok: false,
      missing: false,
      error: `pid file ${path} does not hold a pid (${JSON.stringify(trimmed.slice(0, 40))})`,
    };
  }
  const pid = Number(trimmed);
  if (!isSignallablePid(pid)) {
    return {
      ok: false,
      missing: false,
      error: `pid file ${path} holds pid ${pid}; refusing pids 0 and 1 (process group, init)`,
    };
  }
  return { ok: true, pid };
}

/**
 * When process `pid` started, in clock ticks since boot (field 22 of `/proc/PID/stat`), or
 * undefined without /proc or once the process is gone. With the pid it names one process
 * for good: a pid is reused by the kernel, a (pid, start time) pair is not.
 */
export function processStartTicks(pid: number): Promise<number | undefined> {
  return Promise.resolve(startTicksOf(pid));
}
