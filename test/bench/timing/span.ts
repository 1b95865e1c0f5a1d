/** The clock and CPU readings at both ends of a timing window. */
import { sleep } from '../children.js';
import { allCpuSeconds, cpuBetween, cpuSeconds } from '../proc.js';

interface CpuMark {
  pids: Map<number, number>;
  self: number;
  all: Map<number, number>;
}

function cpuMark(pids: readonly number[]): CpuMark {
  const usage = process.cpuUsage();
  return {
    pids: new Map(pids.map((pid) => [pid, cpuSeconds(pid)])),
    self: (usage.user + usage.system) / 1e6,
    all: allCpuSeconds(),
  };
}

/** A measured window: its bounds on both clocks and the CPU of every process over it. */
export interface Span {
  /** Epoch ms at both ends: probes are in the window by their start time on this clock. */
  from: number;
  to: number;
  /** Length on the monotonic clock. */
  seconds: number;
  /** CPU cores of `pid` over the window; 0 for an unknown one. */
  cores(pid: number | undefined): number;
  /** CPU cores of the benchmark process itself (the blackbox driver) and of every process. */
  selfCores: number;
  allCores: number;
}

/**
 * Sleeps through a window of `windowMs`, reading the CPU of `pids`, of this process and
 * of every process at both ends (from /proc, so what each process really used).
 */
export async function measureSpan(windowMs: number, pids: readonly number[]): Promise<Span> {
  const m0 = cpuMark(pids);
  const from = Date.now();
  const t0 = performance.now();
  await sleep(windowMs);
  const to = Date.now();
  const seconds = (performance.now() - t0) / 1000;
  const m1 = cpuMark(pids);
  return {
    from,
    to,
    seconds,
    cores: (pid) => (pid === undefined ? 0 : ((m1.pids.get(pid) ?? 0) - (m0.pids.get(pid) ?? 0)) / seconds),
    selfCores: (m1.self - m0.self) / seconds,
    allCores: cpuBetween(m0.all, m1.all) / seconds,
  };
}
