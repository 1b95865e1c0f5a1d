/**
 * The figures of the benchmark issue, read from what one run of `npm run bench` measured:
 * memory at 10,000 and 1,000 checks, the cost of one scrape and how long it holds the
 * event loop, scheduler lag, what the prober adds to `processing`, and probes per
 * CPU-second against blackbox_exporter. One value per round; {@link figureRow} takes the
 * median. Pure: the tests feed it made-up results.
 */
import type { Figure } from './figures.js';
import type { Options } from './options.js';
import type { PhaseResult } from './phase.js';
import { ratios } from './report.js';
import type { TimingResult } from './timing/bench.js';
import { timingFigures } from './timing-figures.js';

const MiB = 1024 * 1024;

/** What the figures are read from. */
export interface IssueInputs {
  /** Rounds of agent, traced, blackbox and undici. */
  rounds: readonly (readonly PhaseResult[])[];
  /** The big run of each round. */
  big: readonly PhaseResult[];
  timing?: TimingResult | undefined;
  options: Pick<
    Options,
    | 'checks'
    | 'rate'
    | 'bigChecks'
    | 'bigLevel'
    | 'scrapeIntervalS'
    | 'windowS'
    | 'only'
    | 'timingOthers'
    | 'timingSequential'
  >;
}

/** A note's value from a result, when it is a finite number. */
function note(result: PhaseResult, key: string): number | undefined {
  const value = result.notes[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function defined(values: readonly (number | undefined)[]): number[] {
  return values.filter((v): v is number => v !== undefined);
}

/** Why the big run's scrape figures are missing, if they are. */
function scrapeGap(inputs: IssueInputs): string | undefined {
  const { options, big } = inputs;
  if (!options.only.has('big') || options.bigChecks === 0) return 'the big run was not asked for';
  if (options.scrapeIntervalS <= 0) return 'in-window scrapes are off (--scrape-interval 0)';
  if (big.every((r) => (note(r, 'scrapesInWindow') ?? 0) === 0))
    return `no in-window scrape: the ${options.windowS} s window ends before the first scrape at ${options.scrapeIntervalS / 2} s`;
  return undefined;
}

/** RSS, scrape and lag figures of the big run, then the 1,000-check RSS. */
function memoryAndScrapeFigures(inputs: IssueInputs): Figure[] {
  const { options, big } = inputs;
  const scraped = options.scrapeIntervalS > 0 ? `scraped every ${options.scrapeIntervalS} s` : 'not scraped';
  const bigWhat = `${options.bigChecks} checks (interval ${options.bigChecks / options.rate} s, ${options.rate} probes/s, ${options.bigLevel} metrics)`;
  const gap = scrapeGap(inputs);
  const bigNote = options.only.has('big') && options.bigChecks > 0 ? undefined : 'the big run was not asked for';
  const withScrapes = big.filter((r) => (note(r, 'scrapesInWindow') ?? 0) > 0);
  const lag = big.filter((r) => note(r, 'lagP99AtMostSeconds') !== undefined);
  const agents = inputs.rounds.flat().filter((r) => r.name === 'agent');
  return [
    {
      id: 'rss-big',
      what: `RSS peak (VmHWM), ${bigWhat}, ${scraped}`,
      unit: 'MiB',
      digits: 0,
      values: big.map((r) => r.window.rssPeak / MiB),
      target: { op: '<', value: 300 },
      ...(bigNote ? { note: bigNote } : {}),
    },
    {
      id: 'rss-1k',
      what: `RSS peak (VmHWM), ${options.checks} checks (interval ${options.checks / options.rate} s)`,
      unit: 'MiB',
      digits: 0,
      values: agents.map((r) => r.window.rssPeak / MiB),
      target: { op: '<', value: 120 },
      ...(options.only.has('agent') ? {} : { note: 'the agent phase was not asked for' }),
    },
    {
      id: 'scrape-wall',
      what: `one /metrics scrape, ${options.bigChecks} checks, ${options.bigLevel} level, OpenMetrics + gzip: wall time of the slowest in-window scrape`,
      unit: 'ms',
      digits: 0,
      values: defined(withScrapes.map((r) => note(r, 'scrapeWallMaxMs'))),
      target: { op: '<', value: 150 },
      ...(gap ? { note: gap } : {}),
    },
    {
      id: 'scrape-block',
      what: `longest event-loop block during a scrape (slowest /healthz answer), ${options.bigChecks} checks, ${options.bigLevel} level`,
      unit: 'ms',
      digits: 1,
      values: defined(withScrapes.map((r) => note(r, 'longestBlockMaxMs'))),
      target: { op: '<=', value: 10 },
      ...(gap ? { note: gap } : {}),
    },
    {
      id: 'render-hold',
      what: `longest a render held the event loop at once (the agent's own canary_exposition_last_render_hold_seconds), ${options.bigChecks} checks, ${options.bigLevel} level`,
      unit: 'ms',
      digits: 1,
      values: defined(withScrapes.map((r) => note(r, 'renderHoldMaxMs'))),
      target: { op: '<=', value: 10 },
      ...(gap ? { note: gap } : {}),
    },
    {
      id: 'lag-big',
      what: `scheduler lag p99, ${options.bigChecks} checks, ${scraped} (canary_scheduler_lag_seconds)`,
      unit: 'ms',
      digits: 0,
      values: lag.map((r) => (note(r, 'lagP99AtMostSeconds') ?? NaN) * 1000),
      lowerBounds: lag.map((r) => (note(r, 'lagP99AboveSeconds') ?? 0) * 1000),
      target: { op: '<', value: 20 },
      note: bigNote ?? 'a histogram places p99 in a bucket only; "undecided" when that bucket straddles the target',
    },
  ];
}

/** Probes per CPU-second, agent : blackbox_exporter, paired by round. */
function ratioFigure(inputs: IssueInputs): Figure {
  const agents = inputs.rounds.flat().filter((r) => r.name === 'agent');
  const scrapes = agents.map((r) => note(r, 'scrapesInWindow') ?? 0);
  const counted =
    scrapes.length === 0
      ? "agent's in-window scrapes counted"
      : Math.min(...scrapes) > 0
        ? `agent's in-window scrapes counted (${Math.min(...scrapes)}-${Math.max(...scrapes)} a window)`
        : "no in-window scrape in the agent's window";
  const values = ratios(inputs.rounds).agentToBlackbox;
  const missing =
    !inputs.options.only.has('agent') || !inputs.options.only.has('blackbox')
      ? 'needs the agent and blackbox phases'
      : undefined;
  return {
    id: 'ratio',
    what: `probes per CPU-second, agent : blackbox_exporter (paired rounds; ${counted})`,
    unit: '×',
    digits: 2,
    values,
    target: { op: '>=', value: 2.5 },
    ...(missing ? { note: missing } : {}),
  };
}

/** Every figure of the issue, in the issue's order. */
export function issueFigures(inputs: IssueInputs): Figure[] {
  const { only, timingOthers, timingSequential } = inputs.options;
  const timing = timingFigures(inputs.timing, {
    asked: only.has('timing'),
    others: timingOthers,
    sequential: timingSequential,
  });
  return [...memoryAndScrapeFigures(inputs), ...timing, ratioFigure(inputs)];
}
