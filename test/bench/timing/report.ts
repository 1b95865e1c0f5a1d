/** Tables of the timing benchmark (Markdown, so they paste into BENCHMARKS.md as printed). */
import { spread } from '../report.js';
import type { ProberWindow, Scenario, TimingWindow } from './window.js';

function ms(value: number): string {
  return Number.isFinite(value) ? value.toFixed(2) : '-';
}

function cores(value: number): string {
  return Number.isFinite(value) ? value.toFixed(2) : '-';
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return [head, head.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** The prober column: the floor is named for what it is. */
export function proberName(prober: ProberWindow['prober']): string {
  return prober === 'floor' ? 'blocking socket (floor)' : prober;
}

/** How the window ran the probers: both at once, or this one alone. */
function mode(w: TimingWindow): string {
  return w.simultaneous ? 'together' : 'alone';
}

/**
 * One row per prober per window: what it added, its processing, the target's jitter, how
 * many probes it really made, the agent's event-loop delay, and the CPU of everyone.
 */
export function windowTable(windows: readonly TimingWindow[]): string {
  const head = [
    'scenario',
    'round',
    'prober',
    'n / expected (failed)',
    'added p50',
    'p90',
    'p99',
    'max',
    'processing p50 / p99',
    'hold jitter p50 / p99',
    'probes/s (skipped)',
    'loop delay p99 / max',
    'prober CPU',
    'targets CPU (hold / fast)',
    'driver CPU',
    'other CPU',
  ];
  const rows = windows.flatMap((w) =>
    w.probers.map((p) => {
      const s = p.summary;
      return [
        `${w.scenario} (${w.others} others, ${mode(w)})`,
        String(w.round),
        proberName(p.prober),
        `${p.n} / ${p.expected} (${p.failed + p.unmatched})`,
        `**${ms(s.added.p50)}**`,
        ms(s.added.p90),
        `**${ms(s.added.p99)}**`,
        ms(s.added.max),
        `${ms(s.processing.p50)} / ${ms(s.processing.p99)}`,
        `${ms(s.jitter.p50)} / ${ms(s.jitter.p99)}`,
        `${p.probesPerSecond.toFixed(0)} (${p.skipped})`,
        p.loopDelay ? `${ms(p.loopDelay.p99)} / ${ms(p.loopDelay.max)}` : '-',
        cores(p.cpuCores),
        `${cores(w.cpu.holdTarget)} / ${cores(w.cpu.fastTarget)}`,
        cores(w.cpu.driver),
        cores(w.cpu.other),
      ];
    }),
  );
  return table(head, rows);
}

/** The median over rounds of each figure of one prober in one scenario. */
export interface MedianRow {
  scenario: Scenario;
  prober: ProberWindow['prober'];
  /** Windows that measured it: one per round, two for the floor of a sequential scenario (it runs in both). */
  windows: number;
  n: number;
  addedP50: number;
  addedP90: number;
  addedP99: number;
  addedMax: number;
  processingP50: number;
  jitterP99: number;
  probesPerSecond: number;
  /** Agent only; NaN for blackbox. */
  loopDelayP99: number;
  cpuCores: number;
}

/** Medians per scenario and prober, over every window that measured it. */
export function medianRows(windows: readonly TimingWindow[]): MedianRow[] {
  const groups = new Map<string, { scenario: Scenario; prober: ProberWindow['prober']; list: ProberWindow[] }>();
  for (const w of windows) {
    for (const p of w.probers) {
      const key = `${w.scenario}/${p.prober}`;
      const group = groups.get(key) ?? { scenario: w.scenario, prober: p.prober, list: [] };
      group.list.push(p);
      groups.set(key, group);
    }
  }
  return [...groups.values()].map(({ scenario, prober, list }) => {
    const median = (pick: (p: ProberWindow) => number) => spread(list.map(pick)).median;
    return {
      scenario,
      prober,
      windows: list.length,
      n: median((p) => p.n),
      addedP50: median((p) => p.summary.added.p50),
      addedP90: median((p) => p.summary.added.p90),
      addedP99: median((p) => p.summary.added.p99),
      addedMax: median((p) => p.summary.added.max),
      processingP50: median((p) => p.summary.processing.p50),
      jitterP99: median((p) => p.summary.jitter.p99),
      probesPerSecond: median((p) => p.probesPerSecond),
      loopDelayP99: median((p) => p.loopDelay?.p99 ?? NaN),
      cpuCores: median((p) => p.cpuCores),
    };
  });
}

/** The medians as a table. */
export function medianTable(rows: readonly MedianRow[]): string {
  const head = [
    'scenario',
    'prober',
    'windows',
    'n',
    'added p50',
    'p90',
    'p99',
    'max',
    'processing p50',
    'hold jitter p99',
    'probes/s',
    'loop delay p99',
    'prober CPU',
  ];
  return table(
    head,
    rows.map((r) => [
      r.scenario,
      proberName(r.prober),
      String(r.windows),
      String(r.n),
      `**${ms(r.addedP50)}**`,
      ms(r.addedP90),
      `**${ms(r.addedP99)}**`,
      ms(r.addedMax),
      ms(r.processingP50),
      ms(r.jitterP99),
      r.probesPerSecond.toFixed(0),
      ms(r.loopDelayP99),
      cores(r.cpuCores),
    ]),
  );
}

/** One line per window for the progress log. */
export function describeWindow(w: TimingWindow): string {
  const probers = w.probers.map((p) => {
    const loop = p.loopDelay ? `, loop delay p99 ${ms(p.loopDelay.p99)} ms` : '';
    return `${proberName(p.prober)} n=${p.n}/${p.expected} failed=${p.failed + p.unmatched} added p50 ${ms(p.summary.added.p50)} p99 ${ms(p.summary.added.p99)} max ${ms(p.summary.added.max)} ms, ${p.probesPerSecond.toFixed(0)} probes/s, ${cores(p.cpuCores)} cores${loop}`;
  });
  return `  ${w.scenario} round ${w.round} (${mode(w)}, ${w.seconds.toFixed(1)} s): ${probers.join('; ')}; other load ${cores(w.cpu.other)} cores`;
}
