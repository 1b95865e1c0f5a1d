/**
 * Is the process that wrote a journal or a lock still there? Shared by the journal store
 * (which runs are unfinished) and the locks (which holders are stale).
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** The `code` of a Node.js system error (`ENOENT`, `EEXIST`, ...), if it has one. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}

/** The name this host writes into journals and locks; pids only mean something on it. */
export function thisHost(): string {
  return hostname();
}

/** A zombie has exited but still answers `kill(pid, 0)`; on Linux /proc tells them apart. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state letter follows the command name, which is in parentheses and may contain spaces.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

/**
 * Whether a process with this pid exists on this host. `kill(pid, 0)` delivers nothing and
 * only checks: ESRCH means no such process; EPERM means it exists but belongs to someone
 * else, so it is alive. Pids that are not positive integers are never alive (and are never
 * passed to `kill`, where 0 and negatives address whole process groups).
 */
export function pidAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if (errnoCode(err) === 'ESRCH') return false;
    if (errnoCode(err) === 'EPERM') return true;
    throw err;
  }
  return !isZombie(pid);
}

/**
 * Whether the runner `pid` on `host` is known to be gone. A pid on another host cannot be
 * checked from here, so such a runner is never considered gone: its host must recover it.
 */
export function runnerGone(host: string, pid: number): boolean {
  return host === thisHost() && !pidAlive(pid);
}
