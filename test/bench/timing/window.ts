/**
 * One measurement window of the timing benchmark: the probers asked for are started
 * against the same holding target, warmed up, measured over the same wall-clock window,
 * stopped, and their probes paired with the holds the target reported.
 */
import { sleep, stop } from '../children.js';
import type { Target } from '../ipc.js';
import { loadAverage } from '../proc.js';
import { agentSamples, startAgentSide, type AgentLoad, type AgentSide } from './agent-side.js';
import { startBlackboxSide, type BlackboxSide } from './blackbox-side.js';
import type { PacerCounts } from '../pacer.js';
import { inWindow, matchById, summarise, type Matched, type SampleSummary } from './stats.js';
import { measureSpan, type Span } from './span.js';
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
  /** Measured probes the window should hold: one per measured slot per second. */
  expected: number;
  summary: SampleSummary;
  /** CPU cores the prober's process used in the window. */
  cpuCores: number;
  /** Probes of every slot (measured and others) the prober completed per second in the window. */
  probesPerSecond: number;
  /** Agent: runs skipped (the previous one still going); blackbox: slots the driver could not fire. */
  skipped: number;
  /** Agent only: its event loop's delay in the window, ms (what a response waits before the agent sees it). */
  loopDelay?: { p50: number; p99: number; max: number };
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

/** Everything that is not a prober, from the span. */
function otherCpu(ctx: WindowContext, span: Span, probers: readonly ProberWindow[]): TimingWindow['cpu'] {
  const holdTarget = span.cores(ctx.holdTarget.process.pid);
  const fastTarget = span.cores(ctx.fastTarget.process.pid);
  const proberCores = probers.reduce((total, p) => total + p.cpuCores, 0);
  return { holdTarget, fastTarget, driver: span.selfCores, other: span.allCores - proberCores - holdTarget - fastTarget - span.selfCores };
}

/** The agent's figures: its probes paired by the `Server-Timing` of each response. */
async function agentWindow(ctx: WindowContext, plan: WindowPlan, agent: AgentSide, span: Span): Promise<ProberWindow> {
  const stats = await agent.read();
  const { records } = await agent.finish();
  const matched = agentSamples(inWindow(records, span.from, span.to));
  return {
    ...figures('agent', `canary agent (${ctx.timed} + ${plan.others} checks, 1 s)`, ctx, span, matched, agent.started.pid),
    probesPerSecond: stats.results / span.seconds,
    skipped: stats.skipped,
    loopDelay: stats.loopDelay,
  };
}

/** The exporter's figures: its probes paired by id with the target's hold log. */
async function blackboxWindow(ctx: WindowContext, plan: WindowPlan, blackbox: BlackboxSide, span: Span, before: PacerCounts): Promise<ProberWindow & { holdLogDropped: number }> {
  const after = blackbox.counts();
  const { records } = await blackbox.finish();
  const log = await drainHolds(ctx.holdTarget);
  const matched = matchById(inWindow(records, span.from, span.to), log.holds);
  return {
    ...figures('blackbox', `blackbox_exporter ${blackbox.version} (${ctx.timed} + ${plan.others} probes/s)`, ctx, span, matched, blackbox.started.pid),
    probesPerSecond: (after.success + after.failure - before.success - before.failure) / span.seconds,
    skipped: after.missed - before.missed,
    holdLogDropped: log.dropped,
  };
}

/** What both probers report alike. */
function figures(prober: ProberWindow['prober'], label: string, ctx: WindowContext, span: Span, matched: Matched, pid: number) {
  const { samples, failed, unmatched } = matched;
  const expected = Math.round(ctx.timed * span.seconds);
  return { prober, label, n: samples.length, failed, unmatched, expected, summary: summarise(samples, ctx.holdMs), cpuCores: span.cores(pid) };
}

/** Runs one window; see the module comment. */
export async function runWindow(ctx: WindowContext, plan: WindowPlan): Promise<TimingWindow> {
  const load: AgentLoad = { holdOrigin: ctx.holdTarget.origin, fastOrigin: ctx.fastTarget.origin, timed: ctx.timed, others: plan.others };
  const { agent, blackbox } = await startProbers(ctx, plan, load);
  let done = false;
  try {
    await sleep(ctx.warmupMs);
    const pids = [agent?.started.pid, blackbox?.started.pid, ctx.holdTarget.process.pid, ctx.fastTarget.process.pid].filter((p): p is number => p !== undefined);
    await agent?.mark();
    const before = blackbox?.counts();
    const span = await measureSpan(ctx.windowMs, pids);
    // Each finish lets in-flight probes complete, so every probe started in the window is counted.
    const probers: (ProberWindow & { holdLogDropped?: number })[] = [];
    if (agent) probers.push(await agentWindow(ctx, plan, agent, span));
    if (blackbox && before) probers.push(await blackboxWindow(ctx, plan, blackbox, span, before));
    done = true;
    const holdLogDropped = probers.reduce((n, p) => n + (p.holdLogDropped ?? 0), 0);
    return {
      scenario: plan.scenario,
      round: plan.round,
      others: plan.others,
      simultaneous: probers.length > 1,
      seconds: span.seconds,
      probers: probers.map(({ holdLogDropped: _dropped, ...p }) => p),
      cpu: otherCpu(ctx, span, probers),
      loadAverage: loadAverage(),
      holdLogDropped,
    };
  } finally {
    // On an error above, nothing is left running.
    if (!done && agent) await stop(agent.started, 2_000);
    if (!done && blackbox) await blackbox.finish().catch(() => undefined);
  }
}
