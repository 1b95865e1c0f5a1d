/**
 * Each prober's figures over one timing window: its probes in the window, paired with the
 * holds the target reported (the agent and the floor by the `Server-Timing` of each
 * response, blackbox_exporter by request id in the target's hold log), with its CPU and
 * how many probes it made or skipped.
 */
import type { PacerCounts } from '../pacer.js';
import { agentSamples, type AgentSide } from './agent-side.js';
import type { BlackboxSide } from './blackbox-side.js';
import { floorSamples, type FloorSide } from './floor-side.js';
import type { Span } from './span.js';
import { inWindow, matchById, summarise, type Matched } from './stats.js';
import { drainHolds } from './targets.js';
import type { ProberWindow, WindowContext, WindowPlan } from './window.js';

/** The agent's figures: its probes paired by the `Server-Timing` of each response. */
export async function agentWindow(
  ctx: WindowContext,
  plan: WindowPlan,
  agent: AgentSide,
  span: Span,
): Promise<ProberWindow> {
  const stats = await agent.read();
  const { records } = await agent.finish();
  const matched = agentSamples(inWindow(records, span.from, span.to));
  return {
    ...figures(
      'agent',
      `canary agent (${ctx.timed} + ${plan.others} checks, 1 s)`,
      ctx,
      span,
      matched,
      agent.started.pid,
    ),
    probesPerSecond: stats.results / span.seconds,
    skipped: stats.skipped,
    loopDelay: stats.loopDelay,
  };
}

/** The exporter's figures: its probes paired by id with the target's hold log. */
export async function blackboxWindow(
  ctx: WindowContext,
  plan: WindowPlan,
  blackbox: BlackboxSide,
  span: Span,
  before: PacerCounts,
): Promise<ProberWindow & { holdLogDropped: number }> {
  const after = blackbox.counts();
  const { records } = await blackbox.finish();
  const log = await drainHolds(ctx.holdTarget);
  const matched = matchById(inWindow(records, span.from, span.to), log.holds);
  return {
    ...figures(
      'blackbox',
      `blackbox_exporter ${blackbox.version} (${ctx.timed} + ${plan.others} probes/s)`,
      ctx,
      span,
      matched,
      blackbox.started.pid,
    ),
    probesPerSecond: (after.success + after.failure - before.success - before.failure) / span.seconds,
    skipped: after.missed - before.missed,
    holdLogDropped: log.dropped,
  };
}

/** The floor's figures: its requests paired by the `Server-Timing` of each response. */
export async function floorWindow(ctx: WindowContext, floor: FloorSide, span: Span): Promise<ProberWindow> {
  const { records } = await floor.finish();
  const mine = inWindow(records, span.from, span.to);
  const matched = floorSamples(mine);
  const made = mine.filter((r) => !r.skipped).length;
  return {
    ...figures(
      'floor',
      `blocking socket (floor), python3 (${ctx.timed} probes/s)`,
      ctx,
      span,
      matched,
      floor.started.pid,
    ),
    probesPerSecond: made / span.seconds,
    skipped: mine.length - made,
  };
}

/** What every prober reports alike. */
function figures(
  prober: ProberWindow['prober'],
  label: string,
  ctx: WindowContext,
  span: Span,
  matched: Matched,
  pid: number,
) {
  const { samples, failed, unmatched } = matched;
  const expected = Math.round(ctx.timed * span.seconds);
  return {
    prober,
    label,
    n: samples.length,
    failed,
    unmatched,
    expected,
    summary: summarise(samples, ctx.holdMs),
    cpuCores: span.cores(pid),
  };
}
