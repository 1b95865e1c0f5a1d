/** The soak's result: as JSON for machines, as Markdown (the BENCHMARKS.md section) for people. */
import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { hostileCounts } from './config.js';
import type { HostileTarget } from './hostile.js';
import type { ChaosOutcome } from './lab.js';
import type { SoakState } from './loops.js';
import type { SoakOptions } from './options.js';
import { overTime, verdict, warmupSeconds, type SeriesVerdict, type TableRow } from './stats.js';

/** Everything one soak found. */
export interface SoakResult {
  machine: { cpuModel: string; cores: number; memoryBytes: number; node: string; date: string };
  durationS: number;
  checks: { total: number; intervalS: number; hostile: Record<string, number> };
  samples: SoakState['samples'];
  table: TableRow[];
  series: SeriesVerdict[];
  reloads: { rewrites: number; observed: number; failuresSeen: number };
  chaos: { runs: number; byStatus: Record<string, number>; outcomes: ChaosOutcome[] };
  probeRuns: { success: number; failure: number };
  scrapes: { count: number; lastWireBytes: number; lastTextBytes: number };
  agentStopCode: number | null;
  problems: string[];
  failed: boolean;
}

function cpuModel(): string {
  try {
    return /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Turns what the loops recorded into the result, the problems and the verdict included. */
export function buildResult(input: {
  options: SoakOptions;
  state: SoakState;
  targets: readonly HostileTarget[];
  intervalS: number;
  stopCode: number | null;
}): SoakResult {
  const { options, state } = input;
  const durationS = options.durationMs / 1000;
  const judged = verdict(state.samples, durationS);
  const problems = [...state.problems];
  // The last rewrite may fall after the last scrape; every earlier one must have been reloaded.
  if (state.reloadsObserved < state.rewrites - 1)
    problems.push(`only ${state.reloadsObserved} of ${state.rewrites} probe-file rewrites were reloaded`);
  if (state.reloadFailuresSeen > 0) problems.push(`${state.reloadFailuresSeen} scrapes showed a failed reload`);
  const byStatus: Record<string, number> = {};
  for (const run of state.chaos) byStatus[run.status] = (byStatus[run.status] ?? 0) + 1;
  const first = state.firstFacts;
  const last = state.lastFacts;
  return {
    machine: {
      cpuModel: cpuModel(),
      cores: availableParallelism(),
      memoryBytes: totalmem(),
      node: process.version,
      date: new Date().toISOString(),
    },
    durationS,
    checks: {
      total: options.checks,
      intervalS: input.intervalS,
      hostile: hostileCounts(options.checks, input.targets),
    },
    samples: state.samples,
    table: overTime(state.samples, durationS),
    series: judged.series,
    reloads: { rewrites: state.rewrites, observed: state.reloadsObserved, failuresSeen: state.reloadFailuresSeen },
    chaos: { runs: state.chaos.length, byStatus, outcomes: state.chaos },
    probeRuns: {
      success: (last?.probeRuns.success ?? 0) - (first?.probeRuns.success ?? 0),
      failure: (last?.probeRuns.failure ?? 0) - (first?.probeRuns.failure ?? 0),
    },
    scrapes: { count: state.samples.length, lastWireBytes: last?.wireBytes ?? 0, lastTextBytes: last?.textBytes ?? 0 },
    agentStopCode: input.stopCode,
    problems,
    failed: judged.failed || problems.length > 0,
  };
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const minutes = (seconds: number) => (seconds / 60).toFixed(1);
/** `m:ss`, for the rows of the table. */
const clock = (seconds: number) => `${Math.floor(seconds / 60)}:${String(Math.round(seconds % 60)).padStart(2, '0')}`;

/** A value of one series in its unit. */
function shown(series: SeriesVerdict['series'], value: number): string {
  if (Number.isNaN(value)) return '–';
  return series === 'rssBytes' || series === 'heapUsedBytes' ? `${mib(value)} MiB` : value.toFixed(1);
}

const NAMES: Record<SeriesVerdict['series'], string> = {
  rssBytes: 'RSS',
  heapUsedBytes: 'heap used',
  fds: 'open fds',
  sockets: 'sockets',
};

function tableLines(result: SoakResult): string[] {
  return [
    '| time (m:ss) | samples | RSS MiB | heap used MiB | open fds | sockets |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...result.table.map(
      (r) =>
        `| ${clock(r.from)}–${clock(r.to)} | ${r.samples} | ${mib(r.rssBytes)} | ${mib(r.heapUsedBytes)} | ${r.fds} | ${r.sockets} |`,
    ),
  ];
}

function seriesLines(result: SoakResult): string[] {
  return [
    `| series | slope per hour | first-quarter median | last-quarter median | verdict | why |`,
    '| --- | ---: | ---: | ---: | --- | --- |',
    ...result.series.map(
      (s) =>
        `| ${NAMES[s.series]} | ${s.slopePerHour >= 0 ? '+' : ''}${shown(s.series, s.slopePerHour)} | ${shown(s.series, s.firstQuarterMedian)} | ${shown(s.series, s.lastQuarterMedian)} | ${s.verdict} | ${s.reason} |`,
    ),
  ];
}

/** The result as Markdown. */
export function markdown(result: SoakResult): string {
  const m = result.machine;
  const hostile = Object.entries(result.checks.hostile)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
  const chaos = Object.entries(result.chaos.byStatus)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  return [
    `${m.cpuModel}, ${m.cores} cores, ${mib(m.memoryBytes)} MiB RAM, Node ${m.node}, ${m.date}`,
    '',
    `${minutes(result.durationS)} minutes, ${result.checks.total} checks every ${result.checks.intervalS} s (hostile: ${hostile}); ` +
      `${result.probeRuns.success + result.probeRuns.failure} probe runs measured (${result.probeRuns.failure} failed, as the hostile targets should); ` +
      `${result.scrapes.count} scrapes (last ${(result.scrapes.lastWireBytes / 1024).toFixed(0)} KiB gzip, ${(result.scrapes.lastTextBytes / 1024).toFixed(0)} KiB text); ` +
      `${result.reloads.observed} reloads seen for ${result.reloads.rewrites} probe-file rewrites; ` +
      `${result.chaos.runs} chaos runs (${chaos || 'none'}); agent stopped with exit ${result.agentStopCode}.`,
    '',
    ...tableLines(result),
    '',
    `Slopes and medians from the samples after the warm-up (the first ${minutes(warmupSeconds(result.durationS))} minutes):`,
    '',
    ...seriesLines(result),
    '',
    ...result.problems.map((p) => `Problem: ${p}`),
    `Verdict: ${result.failed ? 'FAIL' : 'pass'}`,
  ].join('\n');
}
