/**
 * The measurement window shared by every prober.
 *
 * Probes are counted where it costs the prober nothing: at the target, which counts the
 * requests it answers. CPU comes from /proc for the prober, the target and the machine.
 * Both are read at the two ends of the window, so probes per CPU-second is one division
 * over one interval. The prober's own counters (the agent's `/metrics`, the driver's
 * tallies) are read outside the window, before a settling pause and after the window:
 * they give the success ratio, and rendering a large `/metrics` never falls inside the
 * window that is charged to the agent.
 */
import { sleep } from './children.js';
import { ask, type Target } from './ipc.js';
import { allCpuSeconds, cpuBetween, cpuSeconds, loadAverage, memory } from './proc.js';

/** A prober's own count of completed probes; `text` carries a scrape for the caller to read more from. */
export interface Snapshot {
  success: number;
  failure: number;
  /** Slots a load generator could not start (cap on in-flight reached). */
  missed?: number;
  text?: string;
}

/** What one window measured. Rates are per second of wall time. */
export interface WindowResult {
  /** Length of the window, seconds. */
  seconds: number;
  /** Requests the target answered in the window: the probes. */
  probes: number;
  probesPerSecond: number;
  /** CPU seconds of the prober per wall second (1 = one core busy). */
  cpuCores: number;
  /** The headline: probes per CPU-second of the prober. */
  probesPerCpuSecond: number;
  /** From the prober's own counters, between its two snapshots (a slightly longer interval). */
  success: number;
  failure: number;
  missed: number;
  successRatio: number;
  /** The prober's own completion rate, as a cross-check of `probesPerSecond`. */
  proberProbesPerSecond: number;
  /** Largest VmRSS sampled once a second in the window, bytes. */
  rssMax: number;
  /** VmHWM at the end of the window: peak RSS since the process started, bytes. */
  rssPeak: number;
  /** CPU cores used by the target server in the window; not charged to the prober. */
  targetCpuCores: number;
  /** CPU cores used by the benchmark process itself (its driver, if any). */
  benchCpuCores: number;
  /** CPU cores used in the window by every other process (kernel threads included): other load. */
  otherCpuCores: number;
  loadAverage: number;
  /** The snapshots at both ends, for prober-specific reading (e.g. scheduler lag). */
  first: Snapshot;
  last: Snapshot;
  /** Window start and end on CLOCK_MONOTONIC in µs, the clock of V8 CPU profiles, to cut a profile to the window. */
  monotonicUs: [number, number];
}

/** Options of {@link measureWindow}. */
export interface WindowOptions {
  pid: number;
  target: Target;
  warmupMs: number;
  /** Pause between the first snapshot and the window, so its cost and aftermath stay outside. */
  settleMs: number;
  windowMs: number;
  snapshot: () => Promise<Snapshot>;
  /**
   * Work the prober must do in the window as it would in service, charged to it: the
   * agent's `/metrics` scraped every `everyMs`, at the middle of each interval.
   */
  during?: { everyMs: number; action: () => Promise<void> };
}

/** Starts `action` at (k + 0.5) x everyMs for each k that fits in the window; resolves when all are done. */
function scheduleDuring(windowMs: number, during: WindowOptions['during']): Promise<unknown> {
  if (!during || during.everyMs <= 0) return Promise.resolve();
  const runs: Promise<void>[] = [];
  for (let k = 0; (k + 0.5) * during.everyMs < windowMs && k < 1_000; k++) {
    runs.push(sleep((k + 0.5) * during.everyMs).then(during.action));
  }
  return Promise.all(runs);
}

interface Mark {
  at: number;
  monotonicUs: number;
  answered: number;
  prober: number;
  target: number;
  bench: number;
  all: Map<number, number>;
}

async function mark(pid: number, target: Target): Promise<Mark> {
  const { answered } = await ask<{ answered: number }>(target.process, 'count');
  const usage = process.cpuUsage();
  return {
    at: performance.now(),
    monotonicUs: Number(process.hrtime.bigint() / 1000n),
    answered,
    prober: cpuSeconds(pid),
    target: cpuSeconds(target.process.pid),
    bench: (usage.user + usage.system) / 1e6,
    all: allCpuSeconds(),
  };
}

/** Measures one window; see the module comment for what is read when. */
export async function measureWindow(options: WindowOptions): Promise<WindowResult> {
  const { pid, target, windowMs } = options;
  await sleep(options.warmupMs);
  const aStart = performance.now();
  const a = await options.snapshot();
  const aEnd = performance.now();
  const aAt = (aStart + aEnd) / 2;
  // A long scrape leaves a backlog of late runs behind it; let that drain too.
  await sleep(Math.max(options.settleMs, 2 * (aEnd - aStart)));
  const m0 = await mark(pid, target);
  const inWindow = scheduleDuring(windowMs, options.during);
  let rssMax = 0;
  const steps = Math.max(1, Math.round(windowMs / 1000));
  for (let i = 0; i < steps; i++) {
    await sleep(windowMs / steps);
    rssMax = Math.max(rssMax, memory(pid).rss);
  }
  await inWindow;
  const m1 = await mark(pid, target);
  const { peak } = memory(pid);
  const bStart = performance.now();
  const b = await options.snapshot();
  const bAt = (bStart + performance.now()) / 2;

  const seconds = (m1.at - m0.at) / 1000;
  const cores = (from: number, to: number) => (to - from) / seconds;
  const cpuCores = cores(m0.prober, m1.prober);
  const targetCpuCores = cores(m0.target, m1.target);
  const benchCpuCores = cores(m0.bench, m1.bench);
  const probes = m1.answered - m0.answered;
  const success = b.success - a.success;
  const failure = b.failure - a.failure;
  return {
    seconds,
    probes,
    probesPerSecond: probes / seconds,
    cpuCores,
    probesPerCpuSecond: cpuCores > 0 ? probes / (m1.prober - m0.prober) : 0,
    success,
    failure,
    missed: (b.missed ?? 0) - (a.missed ?? 0),
    successRatio: success + failure > 0 ? success / (success + failure) : 0,
    proberProbesPerSecond: (success + failure) / ((bAt - aAt) / 1000),
    rssMax,
    rssPeak: peak,
    targetCpuCores,
    benchCpuCores,
    otherCpuCores: cpuBetween(m0.all, m1.all) / seconds - cpuCores - targetCpuCores - benchCpuCores,
    loadAverage: loadAverage(),
    first: a,
    last: b,
    monotonicUs: [m0.monotonicUs, m1.monotonicUs],
  };
}
