/** The benchmark's table (Markdown, so it pastes into BENCHMARKS.md as printed) and summary. */
import type { PhaseResult } from './phase.js';

const MiB = 1024 * 1024;

function fixed(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '-';
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(2)}%`;
}

/** One table row per measured window. */
export function resultTable(results: readonly PhaseResult[]): string {
  const head = [
    'run',
    'prober',
    'probes/s',
    'CPU (cores)',
    'probes per CPU-s',
    'success',
    'RSS max (MiB)',
    'target CPU',
    'other load (cores)',
  ];
  const rows = results.map((r, i) => {
    const w = r.window;
    return [
      String(i + 1),
      r.label,
      fixed(w.probesPerSecond),
      fixed(w.cpuCores, 3),
      `**${fixed(w.probesPerCpuSecond)}**`,
      percent(w.successRatio),
      fixed(w.rssMax / MiB, 1),
      fixed(w.targetCpuCores, 3),
      fixed(w.otherCpuCores, 2),
    ];
  });
  return [head, head.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** Median, min and max of a list. */
export function spread(values: readonly number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median, min: sorted[0] ?? NaN, max: sorted[sorted.length - 1] ?? NaN };
}

/** The ratios the issue asks about, one per repeat (paired: same repeat, same conditions). */
export interface Ratios {
  agentToBlackbox: number[];
  agentToUndici: number[];
  /** Tracing on : off, the cost of tracing. */
  tracedToAgent: number[];
}

export function ratios(rounds: readonly (readonly PhaseResult[])[]): Ratios {
  const out: Ratios = { agentToBlackbox: [], agentToUndici: [], tracedToAgent: [] };
  for (const round of rounds) {
    const of = (name: string) => round.find((r) => r.name === name)?.window.probesPerCpuSecond;
    const agent = of('agent');
    const blackbox = of('blackbox');
    const undici = of('undici');
    if (agent !== undefined && blackbox) out.agentToBlackbox.push(agent / blackbox);
    if (agent !== undefined && undici) out.agentToUndici.push(agent / undici);
    const traced = of('agent-traced');
    if (traced !== undefined && agent) out.tracedToAgent.push(traced / agent);
  }
  return out;
}

/** The big run's in-window scrapes: wall time, bytes, and how long they held the event loop. */
export function scrapeLine(res: PhaseResult): string {
  const n = res.notes;
  const count = Number(n.scrapesInWindow ?? 0);
  const head = `${res.name} (${n.metricsLevel} metrics): ${count} in-window scrape(s)`;
  if (count === 0) return `${head}: none to measure`;
  const num = (key: string) => {
    const value = n[key];
    return typeof value === 'number' ? value : NaN;
  };
  return (
    `${head}: wall median ${fixed(num('scrapeWallMedianMs'))} ms, max ${fixed(num('scrapeWallMaxMs'))} ms, ${fixed(num('scrapeBytesMedian') / 1024)} KiB on the wire (median); ` +
    `the first scrape after start (in the warm-up) ${fixed(num('firstScrapeMs'))} ms; ` +
    `longest block (slowest /healthz answer) ${fixed(num('longestBlockMaxMs'), 1)} ms, p99 ${fixed(num('blockP99MaxMs'), 1)} ms (worst scrape), ` +
    `longest the render itself held the loop ${fixed(num('renderHoldMaxMs'), 1)} ms (the agent's canary_exposition_last_render_hold_seconds), ` +
    `${fixed(num('scrapeSlowPerSecond'), 1)} answers over 10 ms per second of scraping against ${fixed(num('quietSlowPerSecond'), 1)} per second over ${fixed(num('quietBlockRequests'))} answers with no scrape (longest ${fixed(num('quietLongestBlockMs'), 1)} ms), ` +
    `main thread during a scrape ${fixed(num('mainThreadOnCpuMedianMs'))} ms on a CPU, ${fixed(num('mainThreadWaitingMedianMs'))} ms waiting for one, ${fixed(num('minorFaultsMedian'))} minor page faults (median), ` +
    `${n.blockRequests} /healthz requests, ${n.blockErrors} failed; scheduler lag p99 <= ${fixed(num('lagP99AtMostSeconds') * 1000)} ms; ` +
    `RSS max ${fixed(res.window.rssMax / MiB, 1)} MiB, peak ${fixed(res.window.rssPeak / MiB, 1)} MiB`
  );
}

/** Human summary: per prober median [min-max] of probes per CPU-s, the ratios, lag, memory. */
export function summaryLines(rounds: readonly (readonly PhaseResult[])[], extra: readonly PhaseResult[]): string[] {
  const all = rounds.flat();
  const lines: string[] = [];
  for (const name of ['agent', 'agent-traced', 'blackbox', 'undici']) {
    const values = all.filter((r) => r.name === name).map((r) => r.window.probesPerCpuSecond);
    if (values.length === 0) continue;
    const s = spread(values);
    lines.push(
      `${name.padEnd(12)} probes per CPU-s: median ${fixed(s.median)} (min ${fixed(s.min)}, max ${fixed(s.max)}, n=${values.length})`,
    );
  }
  const r = ratios(rounds);
  for (const [what, values] of [
    ['agent : blackbox_exporter', r.agentToBlackbox],
    ['agent : raw undici', r.agentToUndici],
    ['tracing on : off', r.tracedToAgent],
  ] as const) {
    if (values.length === 0) continue;
    const s = spread(values);
    lines.push(`${what}: ${fixed(s.median, 2)}x (min ${fixed(s.min, 2)}x, max ${fixed(s.max, 2)}x)`);
  }
  for (const res of all.filter((x) => x.name === 'agent-traced')) {
    lines.push(
      `${res.name}: spans exported in the window ${res.notes.spansExported}, dropped ${res.notes.spansDropped}, RSS max ${fixed(res.window.rssMax / MiB, 1)} MiB`,
    );
  }
  for (const res of [...all.filter((x) => x.name === 'agent'), ...extra]) {
    const n = res.notes;
    const lag =
      typeof n.lagMeanSeconds === 'number'
        ? `lag mean ${fixed(n.lagMeanSeconds * 1000, 1)} ms, p99 <= ${fixed(Number(n.lagP99AtMostSeconds) * 1000)} ms, `
        : '';
    lines.push(
      `${res.name} (${n.checks} checks / ${n.intervalSeconds}s): ${lag}skipped ${n.skippedRuns}, RSS max ${fixed(res.window.rssMax / MiB, 1)} MiB, ` +
        `peak ${fixed(res.window.rssPeak / MiB, 1)} MiB, heap used ${fixed(Number(n.heapUsedBytes) / MiB, 1)} MiB, failures ${n.failureReasons}; ` +
        `/metrics ${fixed(Number(n.metricsBytes) / MiB, 1)} MiB, dearest scrape ${n.scrapeMs} ms / ${fixed(Number(n.scrapeCpuSeconds), 2)} CPU-s, ` +
        `${n.scrapesInWindow} scrape(s) in the window costing ${fixed(Number(n.scrapeCpuInWindowSeconds), 2)} CPU-s`,
    );
  }
  for (const res of extra) lines.push(scrapeLine(res));
  for (const res of all.filter((x) => x.name === 'blackbox')) {
    lines.push(
      `blackbox_exporter RSS max ${fixed(res.window.rssMax / MiB, 1)} MiB, peak ${fixed(res.window.rssPeak / MiB, 1)} MiB`,
    );
  }
  return lines;
}
