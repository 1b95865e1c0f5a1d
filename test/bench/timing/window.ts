/**
 * One measurement window of the timing benchmark: the probers asked for are started
 * against the same holding target, warmed up, measured over the same wall-clock window,
 * stopped, and their probes paired with the holds the target reported.
 */
import { sleep, stop } from '../children.js';
import type { Target } from '../ipc.js';
import { allCpuSeconds, cpuBetween, cpuSeconds, loadAverage } from '../proc.js';
import type { AgentRecord } from './agent-probe.js';
import { agentSamples, startAgentSide, type AgentLoad, type AgentSide } from './agent-side.js';
import { startBlackboxSide, type BlackboxSide } from './blackbox-side.js';
import { inWindow, matchById, summarise, type IdRecord, type Matched, type SampleSummary } from './stats.js';
import { drainHolds } from './targets.js';

/** `quiet`: the measured probes only; `loaded`: the same plus N background probes a second. */
export type Scenario = 'quiet' | 'loaded';

/** One prober's figures over one window. */
export interface ProberWindow {
  prober: 'agent' | 'blackbox';
  label: string;
  /** Measured probes that started in the window and were paired with their hold. */
  n: number;
  /** Measured probes in the window that got no `processing` (failed). */
  failed: number;
  /** Measured probes in the window with a `processing` but no hold to pair it with. */
  unmatched: number;
  summary: SampleSummary;
  /** CPU cores the prober's process used in the window. */
  cpuCores: number;
}

/** What one window measured. */
export interface TimingWindow {
  scenario: Scenario;
  round: number;
  /** Background probes a second per prober. */
  others: number;
  /** Both probers in this window (false: one prober of a sequential pair). */
  simultaneous: boolean;
  seconds: number;
  probers: ProberWindow[];
  /** CPU cores in the window of everything that is not a prober. */
  cpu: { holdTarget: number; fastTarget: number; driver: number; other: number };
  loadAverage: number;
  /** Holds the target could not log (log full): should be 0. */
  holdLogDropped: number;
}

/** The fixed parts of every window. */
export interface WindowContext {
  holdTarget: Target;
  fastTarget: Target;
  /** The blackbox_exporter binary; undefined when absent. */
  blackbox: string | undefined;
  timed: number;
  holdMs: number;
  warmupMs: number;
  windowMs: number;
  workDir: string;
}

/** Which window to run. */
export interface WindowPlan {
  scenario: Scenario;
  round: number;
  others: number;
  agent: boolean;
  blackbox: boolean;
}

interface CpuMark {
  pids: Map<number, number>;
  self: number;
  all: Map<number, number>;
}

function cpuMark(pids: readonly number[]): CpuMark {
  const usage = process.cpuUsage();
  return { pids: new Map(pids.map((pid) => [pid, cpuSeconds(pid)])), self: (usage.user + usage.system) / 1e6, all: allCpuSeconds() };
}

/** Starts what the plan asks for; if the second fails to start, the first is stopped. */
async function startProbers(ctx: WindowContext, plan: WindowPlan, load: AgentLoad): Promise<{ agent?: AgentSide; blackbox?: BlackboxSide }> {
  const maxSeconds = (ctx.warmupMs + ctx.windowMs) / 1000 + 60;
  const agent = plan.agent ? await startAgentSide(load, ctx.workDir, maxSeconds) : undefined;
  try {
    const prefix = `r${plan.round}-${plan.scenario}-`;
    const blackbox = plan.blackbox && ctx.blackbox ? await startBlackboxSide(ctx.blackbox, load, ctx.workDir, prefix, maxSeconds * 1000) : undefined;
    return { ...(agent ? { agent } : {}), ...(blackbox ? { blackbox } : {}) };
  } catch (error) {
    if (agent) await stop(agent.started, 2_000);
    throw error;
  }
}

function proberWindow(prober: ProberWindow['prober'], label: string, matched: Matched, holdMs: number, cpuCores: number): ProberWindow {
  return { prober, label, n: matched.samples.length, failed: matched.failed, unmatched: matched.unmatched, summary: summarise(matched.samples, holdMs), cpuCores };
}

/** The window itself: CPU of every process at both ends, and its bounds on both clocks. */
interface Span {
  from: number;
  to: number;
  seconds: number;
  /** CPU cores of `pid` over the window; 0 for an unknown one. */
  cores(pid: number | undefined): number;
  /** CPU cores of the benchmark process itself (the blackbox driver) and of every process. */
  selfCores: number;
  allCores: number;
}

async function measureSpan(windowMs: number, pids: readonly number[]): Promise<Span> {
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

/** Everything that is not a prober, from the span. */
function otherCpu(ctx: WindowContext, span: Span, probers: readonly ProberWindow[]): TimingWindow['cpu'] {
  const holdTarget = span.cores(ctx.holdTarget.process.pid);
  const fastTarget = span.cores(ctx.fastTarget.process.pid);
  const proberCores = probers.reduce((total, p) => total + p.cpuCores, 0);
  return { holdTarget, fastTarget, driver: span.selfCores, other: span.allCores - proberCores - holdTarget - fastTarget - span.selfCores };
}

/** Runs one window; see the module comment. */
export async function runWindow(ctx: WindowContext, plan: WindowPlan): Promise<TimingWindow> {
  const load: AgentLoad = { holdOrigin: ctx.holdTarget.origin, fastOrigin: ctx.fastTarget.origin, timed: ctx.timed, others: plan.others };
  const { agent, blackbox } = await startProbers(ctx, plan, load);
  let agentOut: { records: AgentRecord[] } | undefined;
  let blackboxOut: { records: IdRecord[] } | undefined;
  try {
    await sleep(ctx.warmupMs);
    const pids = [agent?.started.pid, blackbox?.started.pid, ctx.holdTarget.process.pid, ctx.fastTarget.process.pid].filter((p): p is number => p !== undefined);
    const span = await measureSpan(ctx.windowMs, pids);
    // Each finish lets in-flight probes complete, so every probe started in the window is counted.
    agentOut = await agent?.finish();
    blackboxOut = await blackbox?.finish();
    const log = await drainHolds(ctx.holdTarget);
    const probers: ProberWindow[] = [];
    const label = (name: string) => `${name} (${ctx.timed} measured + ${plan.others} others, 1/s each)`;
    if (agent && agentOut) {
      const matched = agentSamples(inWindow(agentOut.records, span.from, span.to));
      probers.push(proberWindow('agent', label('canary agent'), matched, ctx.holdMs, span.cores(agent.started.pid)));
    }
    if (blackbox && blackboxOut) {
      const matched = matchById(inWindow(blackboxOut.records, span.from, span.to), log.holds);
      probers.push(proberWindow('blackbox', label(`blackbox_exporter ${blackbox.version}`), matched, ctx.holdMs, span.cores(blackbox.started.pid)));
    }
    return {
      scenario: plan.scenario,
      round: plan.round,
      others: plan.others,
      simultaneous: probers.length > 1,
      seconds: span.seconds,
      probers,
      cpu: otherCpu(ctx, span, probers),
      loadAverage: loadAverage(),
      holdLogDropped: log.dropped,
    };
  } finally {
    // On an error above, nothing is left running.
    if (agent && !agentOut) await stop(agent.started, 2_000);
    if (blackbox && !blackboxOut) await blackbox.finish().catch(() => undefined);
  }
}
