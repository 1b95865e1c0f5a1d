/**
 * Is the process that wrote a journal or a lock still there? Shared by the journal store
 * (which runs are unfinished) and the locks (which holders are stale).
 *
 * A pid alone does not name a process for good: the kernel reuses pids, and a container
 * restarted after SIGKILL or an OOM kill runs its runner as pid 1 again, under the same
 * hostname. So a writer records its pid with its start time (clock ticks since boot, field
 * 22 of /proc/PID/stat) and the boot id (/proc/sys/kernel/random/boot_id); it is alive only
 * while all three still match. Without /proc, or for records written before these fields
 * existed, the pid alone decides, as it always did.
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

/** Who wrote a journal or a lock, as recorded in it. */
export interface ProcessIdentity {
  pid: number;
  host: string;
  /** When `pid` started, in clock ticks since boot; absent without /proc. */
  startTicks?: number;
  /** The kernel's boot id when it was written; absent without /proc. */
  bootId?: string;
}

/** A record read back from disk: the identity fields may be missing (older files) or anything at all. */
export type RecordedProcess = { pid: number; host: string } & { startTicks?: unknown; bootId?: unknown };

/** Fields of /proc/PID/stat after the command name, or undefined without /proc or the process. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces or parentheses itself.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** When process `pid` started, in clock ticks since boot (field 22 of /proc/PID/stat). */
export function startTicksOf(pid: number): number | undefined {
  const ticks = Number(statFields(pid)?.[19]);
  return Number.isSafeInteger(ticks) ? ticks : undefined;
}

let cachedBootId: string | null | undefined;

/** The kernel's boot id, or undefined without /proc; it changes at every boot. */
export function bootId(): string | undefined {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      cachedBootId = null;
    }
  }
  return cachedBootId ?? undefined;
}

let ownIdentity: ProcessIdentity | undefined;

/** The identity to record for process `pid` of this host (this process by default). */
export function processIdentity(pid: number = process.pid): ProcessIdentity {
  // Ours never changes while we run, and the audit lock asks for it at every append.
  if (pid === process.pid) return (ownIdentity ??= identityOf(pid));
  return identityOf(pid);
}

function identityOf(pid: number): ProcessIdentity {
  const startTicks = startTicksOf(pid);
  const boot = bootId();
  return {
    pid,
    host: thisHost(),
    ...(startTicks === undefined ? {} : { startTicks }),
    ...(boot === undefined ? {} : { bootId: boot }),
  };
}

/** A zombie has exited but still answers `kill(pid, 0)`; on Linux /proc tells them apart. */
function isZombie(pid: number): boolean {
  return statFields(pid)?.[0] === 'Z';
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
 * Whether the process that wrote `who` is known to be gone. A pid on another host cannot
 * be checked from here, so such a writer is never considered gone: its host must recover
 * it. On this host it is gone when it wrote in an earlier boot, when its pid is free, or
 * when its pid now names a process that started at another time (the pid was reused: by
 * the kernel, or by a restarted container whose runner is pid 1 again). A field that was
 * not recorded, or that this host cannot read now, is not compared.
 */
export function runnerGone(who: RecordedProcess): boolean {
  if (who.host !== thisHost()) return false;
  const boot = bootId();
  if (typeof who.bootId === 'string' && boot !== undefined && who.bootId !== boot) return true;
  if (!pidAlive(who.pid)) return true;
  if (typeof who.startTicks !== 'number') return false;
  const ticks = startTicksOf(who.pid);
  return ticks !== undefined && ticks !== who.startTicks;
}
