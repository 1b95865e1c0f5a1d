/**
 * The timing figures of the issue: what the prober adds to `processing` at p99, quiet and
 * loaded, the agent against its target and against blackbox_exporter in the same window
 * (or, when the loaded probers run one after the other, the same round), with
 * blackbox_exporter's and the blocking-socket floor's p99 beside it for reference.
 */
import type { Figure } from './figures.js';
import { TIMING_DEFAULTS, type TimingResult } from './timing/bench.js';
import type { ProberWindow, Scenario, TimingWindow } from './timing/window.js';

/** The p99s of one round of one scenario; undefined where that prober was not measured. */
export interface RoundP99 {
  round: number;
  agent?: number;
  blackbox?: number;
  /** The floor measured in the agent's window (in a sequential pair it runs in both). */
  floor?: number;
}

function p99(prober: ProberWindow | undefined): number | undefined {
  const value = prober?.summary.added.p99;
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

/** Per round, the agent's, blackbox_exporter's and the floor's `added` p99 in one scenario. */
export function roundP99s(windows: readonly TimingWindow[], scenario: Scenario): RoundP99[] {
  const rounds = [...new Set(windows.filter((w) => w.scenario === scenario).map((w) => w.round))].sort((a, b) => a - b);
  return rounds.map((round) => {
    const mine = windows.filter((w) => w.scenario === scenario && w.round === round);
    const find = (name: ProberWindow['prober'], list = mine) =>
      list.flatMap((w) => w.probers).find((p) => p.prober === name);
    const agentWindows = mine.filter((w) => w.probers.some((p) => p.prober === 'agent'));
    const floor = find('floor', agentWindows) ?? find('floor');
    const out: RoundP99 = { round };
    const [agent, blackbox, floorP99] = [p99(find('agent')), p99(find('blackbox')), p99(floor)];
    if (agent !== undefined) out.agent = agent;
    if (blackbox !== undefined) out.blackbox = blackbox;
    if (floorP99 !== undefined) out.floor = floorP99;
    return out;
  });
}

function pick(list: readonly RoundP99[], key: 'agent' | 'blackbox' | 'floor'): number[] {
  return list.flatMap((r) => (r[key] === undefined ? [] : [r[key]]));
}

/** How the timing phase was asked for; what the figures say when it did not run. */
export interface TimingAsked {
  asked: boolean;
  others: number;
  sequential: boolean;
}

/** The figures of one scenario. */
function scenarioFigures(result: TimingResult | undefined, scenario: Scenario, asked: TimingAsked): Figure[] {
  const windows = result?.windows ?? [];
  const list = roundP99s(windows, scenario);
  const others = result?.options.others ?? asked.others;
  const timed = result?.options.timed ?? TIMING_DEFAULTS.timed;
  const setting = scenario === 'quiet' ? `quiet (${timed} checks)` : `loaded (${timed} + ${others} other checks)`;
  const sequential = result
    ? !windows.some((w) => w.scenario === scenario && w.simultaneous)
    : scenario === 'loaded' && asked.sequential;
  const pairing = sequential ? 'same round, one after the other' : 'same window';
  const why = asked.asked ? undefined : 'the timing phase was not asked for';
  const missing = why ?? (list.length === 0 ? `no ${scenario} window was run` : undefined);
  const extra = missing ? { note: missing } : {};
  const what = (who: string) => `added to processing, p99, ${setting}: ${who}`;
  const diffs = list.flatMap((r) => (r.agent !== undefined && r.blackbox !== undefined ? [r.agent - r.blackbox] : []));
  return [
    {
      id: `added-${scenario}-agent`,
      what: what('canary agent'),
      unit: 'ms',
      digits: 2,
      values: pick(list, 'agent'),
      target: { op: '<=', value: scenario === 'quiet' ? 0.5 : 1 },
      ...extra,
    },
    {
      id: `added-${scenario}-blackbox`,
      what: what('blackbox_exporter'),
      unit: 'ms',
      digits: 2,
      values: pick(list, 'blackbox'),
      ...extra,
    },
    {
      id: `added-${scenario}-floor`,
      what: what("blocking socket (floor), in the agent's window"),
      unit: 'ms',
      digits: 2,
      values: pick(list, 'floor'),
      ...(missing ? extra : pick(list, 'floor').length === 0 ? { note: 'no floor: python3 not found' } : {}),
    },
    {
      id: `added-${scenario}-vs-blackbox`,
      what: `added p99, agent − blackbox_exporter, ${setting} (${pairing})`,
      unit: 'ms',
      digits: 2,
      values: diffs,
      target: { op: '<', value: 0 },
      ...(missing ? extra : diffs.length === 0 ? { note: 'blackbox_exporter not measured' } : {}),
    },
  ];
}

/** Every timing figure; timing not asked for (not in `--only`) leaves them unmeasured with a note. */
export function timingFigures(result: TimingResult | undefined, asked: TimingAsked): Figure[] {
  return [...scenarioFigures(result, 'quiet', asked), ...scenarioFigures(result, 'loaded', asked)];
}
