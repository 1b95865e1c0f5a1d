/**
 * Readers of /proc for the benchmark: CPU time and resident memory of one process, and
 * the machine's load, so every number in the table comes from the kernel's own counters.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** Clock ticks per second of `utime`/`stime` (`getconf CLK_TCK`); 100 on Linux unless told otherwise. */
export const CLOCK_TICKS: number = readClockTicks();

function readClockTicks(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 2_000 }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/**
 * User + system CPU seconds from the text of `/proc/<pid>/stat`. The command name (field 2)
 * may hold spaces and parentheses, so fields are counted from the last `)`.
 */
export function parseCpuSeconds(stat: string, ticks: number = CLOCK_TICKS): number {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name: state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime))
    throw new Error(`unreadable /proc stat line: ${stat.slice(0, 120)}`);
  return (utime + stime) / ticks;
}

/** Minor page faults of a process so far (field 10 of `/proc/<pid>/stat`): memory touched for the first time. */
export function parseMinorFaults(stat: string): number {
  // After the name: state is field 3, so minflt (10) is at 7 here.
  const value = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
  if (!Number.isFinite(value)) throw new Error(`unreadable /proc stat line: ${stat.slice(0, 120)}`);
  return value;
}

/** CPU seconds and minor page faults (all threads) of a live process so far, from one read of its stat file. */
export function statCounters(pid: number): { cpuSeconds: number; minorFaults: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return { cpuSeconds: parseCpuSeconds(stat), minorFaults: parseMinorFaults(stat) };
}

/** CPU seconds (all threads) a live process has used so far. */
export function cpuSeconds(pid: number): number {
  return parseCpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** A `kB` field of `/proc/<pid>/status` (e.g. `VmRSS`, `VmHWM`) in bytes; undefined when absent. */
export function parseStatusBytes(status: string, field: string): number | undefined {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
}

/** Resident set size now (`VmRSS`) and its peak so far (`VmHWM`), in bytes. */
export function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rss: parseStatusBytes(status, 'VmRSS') ?? 0, peak: parseStatusBytes(status, 'VmHWM') ?? 0 };
}

/**
 * Milliseconds a process's main thread has spent on a CPU and waiting on a run queue for
 * one (`/proc/<pid>/task/<pid>/schedstat`, in ns); undefined where the kernel does not
 * keep the file. The second number tells time the thread was ready but not running, which
 * is what a busy machine adds to every pause the agent's event loop shows.
 */
export function mainThreadTime(pid: number): { onCpuMs: number; waitingMs: number } | undefined {
  try {
    return parseSchedstat(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The text of a `schedstat` file: on-CPU ns, run-queue wait ns, timeslices. */
export function parseSchedstat(text: string): { onCpuMs: number; waitingMs: number } | undefined {
  const [onCpu, waiting] = text.trim().split(/\s+/).map(Number);
  if (onCpu === undefined || waiting === undefined || !Number.isFinite(onCpu) || !Number.isFinite(waiting))
    return undefined;
  return { onCpuMs: onCpu / 1e6, waitingMs: waiting / 1e6 };
}

/** The 1-minute load average. */
export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

/**
 * CPU seconds of every process now, by pid. Summed per process rather than read from
 * /proc/stat's machine totals: those are sampled at timer ticks and miss much of the
 * work of a load made of short bursts that start at timer ticks, which this one is.
 */
export function allCpuSeconds(): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      out.set(pid, cpuSeconds(pid));
    } catch {
      // Gone between the listing and the read.
    }
  }
  return out;
}

/** CPU seconds used between two {@link allCpuSeconds} readings; a pid new in `after` counts in full. */
export function cpuBetween(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}

/** The machine as the report describes it. */
export interface MachineInfo {
  cpuModel: string;
  cores: number;
  node: string;
  kernel: string;
  clockTicks: number;
}

export function machineInfo(): MachineInfo {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? 'unknown';
  const cores = cpuinfo.split('\n').filter((l) => l.startsWith('processor')).length;
  const kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  return { cpuModel: model.trim(), cores, node: process.version, kernel, clockTicks: CLOCK_TICKS };
}
