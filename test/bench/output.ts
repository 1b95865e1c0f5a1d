/**
 * What `npm run bench` prints at the end, and the results JSON: the machine, the table of
 * every window, the summary, CPU profiles, the timing tables, and the figures of the issue
 * against their targets.
 */
import { blackboxVersion } from './blackbox-run.js';
import { figureRow, figuresTable, type FigureRow } from './figures.js';
import { issueFigures } from './issue-figures.js';
import type { Options } from './options.js';
import type { PageResult } from './page-run.js';
import { pageFigures } from './page-figures.js';
import type { PhaseResult } from './phase.js';
import { machineInfo } from './proc.js';
import { formatSummary } from './profile.js';
import { resultTable, summaryLines } from './report.js';
import { scrapesInWindow } from './scrape-cost.js';
import type { TimingResult } from './timing/bench.js';
import { timingText } from './timing-phase.js';

/** Everything one run measured. */
export interface RunOutcome {
  options: Options;
  stamp: string;
  blackbox: string | undefined;
  measured: PhaseResult[][];
  big: PhaseResult[];
  timing: TimingResult | undefined;
  /** The status page phase, when asked for. */
  page?: PageResult | undefined;
}

/**
 * Says so when the window holds fewer than two in-window scrapes (they fall at 0.5 and
 * 1.5 scrape intervals into it); undefined when it holds two or more, or nothing is scraped.
 */
export function scrapeWindowWarning(
  options: Pick<Options, 'windowS' | 'scrapeIntervalS' | 'only'>,
): string | undefined {
  if (options.scrapeIntervalS <= 0 || !['agent', 'traced', 'big'].some((p) => options.only.has(p))) return undefined;
  const fits = scrapesInWindow(options.windowS, options.scrapeIntervalS);
  if (fits >= 2) return undefined;
  return (
    `the ${options.windowS} s window holds ${fits} in-window scrape(s) at one every ${options.scrapeIntervalS} s ` +
    `(two need a window longer than ${options.scrapeIntervalS * 1.5} s): the scrape figures rest on ${fits === 0 ? 'nothing' : 'one scrape'}`
  );
}

/** The figures of the issue as rows, for printing and for the JSON. */
export function figureRows(outcome: RunOutcome): FigureRow[] {
  const { options, measured, big, timing } = outcome;
  return issueFigures({ rounds: measured, big, timing, options }).map(figureRow);
}

/** Prints everything and returns the results JSON. */
export function printResults(outcome: RunOutcome): Record<string, unknown> {
  const { options, stamp, blackbox, measured, big, timing } = outcome;
  const machine = { ...machineInfo(), blackboxExporter: blackbox ? blackboxVersion(blackbox) : null, date: stamp };
  const all = [...measured.flat(), ...big];
  const summary = summaryLines(measured, big);
  console.log(
    `\n${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, blackbox_exporter ${machine.blackboxExporter ?? 'absent'}, ${stamp}`,
  );
  console.log(
    `window ${options.windowS}s after ${options.warmupS}s warm-up; ${options.checks} checks / paths at ${options.rate} probes/s; target keep-alive ${options.targetKeepAliveS}s; ` +
      `agent /metrics scraped every ${options.scrapeIntervalS}s in its window; big run ${options.bigChecks} checks, ${options.bigLevel} metrics; ${options.repeat} round(s)` +
      `${options.profile ? '; PROFILED (numbers include profiler overhead)' : ''}`,
  );
  const warning = scrapeWindowWarning(options);
  if (warning) console.log(`note: ${warning}`);
  if (all.length > 0) console.log(`\n${resultTable(all)}`);
  if (summary.length > 0) console.log(`\n${summary.join('\n')}`);
  for (const { name, profile } of all) {
    if (profile)
      console.log(`\nCPU profile of ${name} over its window: ${profile.file}\n${formatSummary(profile.window)}`);
  }
  if (timing) console.log(`\n${timingText(timing)}`);
  const figures = figureRows(outcome);
  const rounds = options.repeat > 1 ? `median over ${options.repeat} rounds, min–max` : 'one round';
  console.log(`\nFigures of the issue (${rounds}):\n\n${figuresTable(figures)}`);
  const pageRows = outcome.page ? pageFigures(outcome.page).map(figureRow) : [];
  if (pageRows.length > 0) console.log(`\nStatus page (${rounds}):\n\n${figuresTable(pageRows)}`);
  return {
    machine,
    options: { ...options, only: [...options.only] },
    rounds: measured,
    extra: big,
    timing: timing ?? null,
    summary,
    ...(warning ? { warning } : {}),
    figures,
    page: outcome.page ?? null,
    pageFigures: pageRows,
  };
}
