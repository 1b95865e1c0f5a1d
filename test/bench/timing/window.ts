/**
 * One measurement window of the timing benchmark: the probers asked for are started
 * against the same holding target, warmed up, measured over the same wall-clock window,
 * stopped, and their probes paired with the holds the target reported. The floor prober
 * (a blocking socket client, when python3 is there) runs in every window beside them.
 */
import { sleep, stop } from '../children.js';
import type { Target } from '../ipc.js';
import { loadAverage } from '../proc.js';
import { startAgentSide, type AgentLoad, type AgentSide } from './agent-side.js';
import { startBlackboxSide, type BlackboxSide } from './blackbox-side.js';
import { startFloorSide, type FloorSide } from './floor-side.js';
import { agentWindow, blackboxWindow, floorWindow } from './prober-windows.js';
import type { SampleSummary } from './stats.js';
import { measureSpan, type Span } from './span.js';

/** `quiet`: the measured probes only; `loaded`: the same plus N background probes a second. */
export type Scenario = 'quiet' | 'loaded';

/** One prober's figures over one window. */
export interface ProberWindow {
  prober: 'agent' | 'blackbox' | 'floor';
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
  /** Agent: runs skipped (the previous one still going); blackbox: slots the driver could not fire; floor: slots a period late. */
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
  /** python3 for the floor prober; undefined when absent (no floor row). */
  python: string | undefined;
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

interface Probers {
  agent?: AgentSide;
  blackbox?: BlackboxSide;
  floor?: FloorSide;
}

/** Starts what the plan asks for, and the floor; if one fails to start, those started are stopped. */
async function startProbers(ctx: WindowContext, plan: WindowPlan, load: AgentLoad): Promise<Probers> {
  const maxSeconds = (ctx.warmupMs + ctx.windowMs) / 1000 + 60;
  const out: Probers = {};
  try {
    if (plan.agent) out.agent = await startAgentSide(load, ctx.workDir, maxSeconds);
    const prefix = `r${plan.round}-${plan.scenario}-`;
    if (plan.blackbox && ctx.blackbox)
      out.blackbox = await startBlackboxSide(ctx.blackbox, load, ctx.workDir, prefix, maxSeconds * 1000);
    if (ctx.python) out.floor = await startFloorSide(ctx.python, ctx.holdTarget.origin, ctx.timed, maxSeconds);
    return out;
  } catch (error) {
    await stopAll(out);
    throw error;
  }
}

/** Stops whatever is still running, after an error. */
async function stopAll(probers: Probers): Promise<void> {
  if (probers.agent) await stop(probers.agent.started, 2_000);
  if (probers.blackbox) await probers.blackbox.finish().catch(() => undefined);
  if (probers.floor) await stop(probers.floor.started, 2_000);
}

/** Everything that is not a prober, from the span. */
function otherCpu(ctx: WindowContext, span: Span, probers: readonly ProberWindow[]): TimingWindow['cpu'] {
  const holdTarget = span.cores(ctx.holdTarget.process.pid);
  const fastTarget = span.cores(ctx.fastTarget.process.pid);
  const proberCores = probers.reduce((total, p) => total + p.cpuCores, 0);
  return {
    holdTarget,
    fastTarget,
    driver: span.selfCores,
    other: span.allCores - proberCores - holdTarget - fastTarget - span.selfCores,
  };
}

/** Runs one window; see the module comment. */
export async function runWindow(ctx: WindowContext, plan: WindowPlan): Promise<TimingWindow> {
  const load: AgentLoad = {
    holdOrigin: ctx.holdTarget.origin,
    fastOrigin: ctx.fastTarget.origin,
    timed: ctx.timed,
    others: plan.others,
  };
  const probers = await startProbers(ctx, plan, load);
  const { agent, blackbox, floor } = probers;
  let done = false;
  try {
    await sleep(ctx.warmupMs);
    const pids = [
      agent?.started.pid,
      blackbox?.started.pid,
      floor?.started.pid,
      ctx.holdTarget.process.pid,
      ctx.fastTarget.process.pid,
    ].filter((p): p is number => p !== undefined);
    await agent?.mark();
    const before = blackbox?.counts();
    const span = await measureSpan(ctx.windowMs, pids);
    // The floor is told to stop at once, so it ends with the window; settled (never left rejecting) until read.
    const floorResult = floor
      ? floorWindow(ctx, floor, span).then(
          (ok) => ({ ok }),
          (error: unknown) => ({ error }),
        )
      : undefined;
    // Each finish lets in-flight probes complete, so every probe started in the window is counted.
    const measured: (ProberWindow & { holdLogDropped?: number })[] = [];
    if (agent) measured.push(await agentWindow(ctx, plan, agent, span));
    if (blackbox && before) measured.push(await blackboxWindow(ctx, plan, blackbox, span, before));
    const floorOutcome = await floorResult;
    if (floorOutcome && 'error' in floorOutcome) throw floorOutcome.error;
    if (floorOutcome) measured.push(floorOutcome.ok);
    done = true;
    const holdLogDropped = measured.reduce((n, p) => n + (p.holdLogDropped ?? 0), 0);
    return {
      scenario: plan.scenario,
      round: plan.round,
      others: plan.others,
      // The floor runs in every window; "together" means both real probers were.
      simultaneous: measured.filter((p) => p.prober !== 'floor').length > 1,
      seconds: span.seconds,
      probers: measured.map(({ holdLogDropped: _dropped, ...p }) => p),
      cpu: otherCpu(ctx, span, measured),
      loadAverage: loadAverage(),
      holdLogDropped,
    };
  } finally {
    // On an error above, nothing is left running.
    if (!done) await stopAll(probers);
  }
}
