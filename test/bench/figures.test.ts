/**
 * Tests of the summary "Figures of the issue": the verdict against each kind of target,
 * medians and spreads over rounds, histogram-bucket figures, and which measured number
 * each figure is read from (made-up results, no processes).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { figureRow, figuresTable, holds, verdictWithin, type Figure } from './figures.js';
import { issueFigures, type IssueInputs } from './issue-figures.js';
import { pageFigures } from './page-figures.js';
import { parseOptions } from './options.js';
import type { PhaseResult } from './phase.js';
import type { TimingResult } from './timing/bench.js';
import type { ProberWindow, TimingWindow } from './timing/window.js';
import { roundP99s } from './timing-figures.js';

const MiB = 1024 * 1024;

describe('verdicts', () => {
  test('each comparison, at and around the target', () => {
    assert.equal(holds(299, { op: '<', value: 300 }), true);
    assert.equal(holds(300, { op: '<', value: 300 }), false);
    assert.equal(holds(10, { op: '<=', value: 10 }), true);
    assert.equal(holds(10.01, { op: '<=', value: 10 }), false);
    assert.equal(holds(2.5, { op: '>=', value: 2.5 }), true);
    assert.equal(holds(2.49, { op: '>=', value: 2.5 }), false);
    assert.equal(holds(0, { op: '<', value: 0 }), false);
  });

  test('a value known only as a bucket (lower, upper]: met, not met, or undecided', () => {
    const target = { op: '<', value: 20 } as const;
    assert.equal(verdictWithin(5, 10, target), 'met');
    assert.equal(verdictWithin(10, 25, target), 'undecided');
    assert.equal(verdictWithin(25, 50, target), 'not met');
    assert.equal(verdictWithin(20, 25, target), 'not met');
    assert.equal(verdictWithin(1, 2, { op: '>=', value: 1 }), 'met');
    assert.equal(verdictWithin(0.5, 2, { op: '>=', value: 1 }), 'undecided');
  });
});

describe('figure rows', () => {
  const figure = (values: number[], extra: Partial<Figure> = {}): Figure => ({
    id: 'x',
    what: 'x',
    unit: 'ms',
    digits: 1,
    values,
    target: { op: '<', value: 150 },
    ...extra,
  });

  test('the median over rounds decides, min and max shown', () => {
    const row = figureRow(figure([140, 200, 120]));
    assert.deepEqual([row.median, row.min, row.max, row.n, row.verdict], [140, 120, 200, 3, 'met']);
    assert.equal(row.measuredText, '140.0 ms (120.0–200.0, n=3)');
    assert.equal(row.targetText, '< 150 ms');
    assert.equal(figureRow(figure([140, 200, 160])).verdict, 'not met');
    // Even count: the mean of the middle two.
    assert.equal(figureRow(figure([100, 200, 160, 140])).median, 150);
    assert.equal(figureRow(figure([100, 200, 160, 140])).verdict, 'not met');
  });

  test('one round prints the value alone; none is "not measured"; no target is a reference', () => {
    assert.equal(figureRow(figure([12.34])).measuredText, '12.3 ms');
    const none = figureRow(figure([], { note: 'window too short' }));
    assert.deepEqual([none.verdict, none.median, none.measuredText], ['not measured', null, 'not measured']);
    const { target: _target, ...noTarget } = figure([3]);
    assert.equal(figureRow(noTarget).verdict, 'reference');
    assert.equal(
      figureRow({ ...figure([2.61, 2.4, 2.55]), unit: '×', digits: 2, target: { op: '>=', value: 2.5 } }).targetText,
      '≥ 2.5×',
    );
  });

  test('bucket figures take the upper middle round and judge its bucket', () => {
    const lag = figure([10, 25, 25], { lowerBounds: [5, 10, 10], target: { op: '<', value: 20 } });
    const row = figureRow(lag);
    assert.deepEqual([row.median, row.lowerBound, row.verdict], [25, 10, 'undecided']);
    const even = figureRow(figure([10, 25], { lowerBounds: [5, 10], target: { op: '<', value: 20 } }));
    assert.deepEqual([even.median, even.verdict], [25, 'undecided']);
    assert.equal(figureRow(figure([10, 10], { lowerBounds: [5, 5], target: { op: '<', value: 20 } })).verdict, 'met');
  });

  test('the table: one row per figure, notes under it, one line per distinct note', () => {
    const text = figuresTable([
      figureRow(figure([1])),
      figureRow(figure([], { what: 'lag', note: 'no scrape' })),
      figureRow(figure([], { id: 'a', note: 'not asked for' })),
      figureRow(figure([], { id: 'b', note: 'not asked for' })),
    ]);
    const lines = text.split('\n');
    assert.equal(lines[0], '| figure | measured (median, min–max) | target | met / not met |');
    assert.equal(lines.length, 2 + 4 + 1 + 2);
    assert.deepEqual(lines.slice(7), ['- lag: no scrape', '- not asked for: 2 figures (a, b)']);
  });
});

/** A made-up phase result with the fields the figures read. */
function phase(name: string, window: Partial<PhaseResult['window']>, notes: PhaseResult['notes'] = {}): PhaseResult {
  return { name, label: name, window: window as PhaseResult['window'], notes };
}

/** A made-up timing window with each prober's added p99. */
function timingWindow(
  scenario: 'quiet' | 'loaded',
  round: number,
  p99s: Partial<Record<ProberWindow['prober'], number>>,
): TimingWindow {
  const probers = Object.entries(p99s).map(
    ([prober, p99]) =>
      ({ prober, summary: { added: { n: 10, p50: 0, p90: 0, p99, max: p99 } } }) as unknown as ProberWindow,
  );
  return {
    scenario,
    round,
    others: scenario === 'quiet' ? 0 : 1000,
    simultaneous: probers.filter((p) => p.prober !== 'floor').length > 1,
    seconds: 30,
    probers,
    cpu: { holdTarget: 0, fastTarget: 0, driver: 0, other: 0 },
    loadAverage: 0,
    holdLogDropped: 0,
  };
}

describe('figures of the issue from results', () => {
  const options = parseOptions([]) as NonNullable<ReturnType<typeof parseOptions>>;
  const scraped = {
    scrapesInWindow: 2,
    scrapeWallMaxMs: 120,
    longestBlockMaxMs: 7.5,
    lagP99AtMostSeconds: 0.025,
    lagP99AboveSeconds: 0.01,
  };
  const inputs: IssueInputs = {
    rounds: [
      [
        phase('agent', { rssPeak: 110 * MiB, rssMax: 100 * MiB, probesPerCpuSecond: 2600 }, { scrapesInWindow: 2 }),
        phase('blackbox', { probesPerCpuSecond: 1000 }),
      ],
      [
        phase('agent', { rssPeak: 130 * MiB, rssMax: 100 * MiB, probesPerCpuSecond: 2400 }, { scrapesInWindow: 2 }),
        phase('blackbox', { probesPerCpuSecond: 1000 }),
      ],
      [
        phase('agent', { rssPeak: 115 * MiB, rssMax: 100 * MiB, probesPerCpuSecond: 2700 }, { scrapesInWindow: 2 }),
        phase('blackbox', { probesPerCpuSecond: 1000 }),
      ],
    ],
    big: [phase('agent-10000', { rssPeak: 280 * MiB, rssMax: 900 * MiB }, scraped)],
    timing: {
      options: { others: 1000, timed: 20 },
      windows: [
        timingWindow('quiet', 1, { agent: 0.4, blackbox: 0.6, floor: 0.2 }),
        timingWindow('loaded', 1, { agent: 1.5, floor: 0.3 }),
        timingWindow('loaded', 1, { blackbox: 1.2, floor: 0.9 }),
      ],
    } as unknown as TimingResult,
    options,
  };
  const rows = new Map(issueFigures(inputs).map((f) => [f.id, figureRow(f)]));

  test('RSS figures are the peak (VmHWM), not the largest sample', () => {
    assert.deepEqual([rows.get('rss-big')?.median, rows.get('rss-big')?.verdict], [280, 'met']);
    assert.deepEqual(
      [rows.get('rss-1k')?.median, rows.get('rss-1k')?.min, rows.get('rss-1k')?.max, rows.get('rss-1k')?.verdict],
      [115, 110, 130, 'met'],
    );
  });

  test('scrape wall time, longest block and lag from the big run', () => {
    assert.deepEqual([rows.get('scrape-wall')?.median, rows.get('scrape-wall')?.verdict], [120, 'met']);
    assert.deepEqual([rows.get('scrape-block')?.median, rows.get('scrape-block')?.verdict], [7.5, 'met']);
    assert.deepEqual(
      [rows.get('lag-big')?.median, rows.get('lag-big')?.lowerBound, rows.get('lag-big')?.verdict],
      [25, 10, 'undecided'],
    );
  });

  test("timing: agent p99 against its target and against blackbox_exporter; the floor from the agent's window", () => {
    assert.deepEqual([rows.get('added-quiet-agent')?.median, rows.get('added-quiet-agent')?.verdict], [0.4, 'met']);
    assert.equal(rows.get('added-quiet-vs-blackbox')?.verdict, 'met');
    assert.deepEqual(
      [rows.get('added-loaded-agent')?.median, rows.get('added-loaded-agent')?.verdict],
      [1.5, 'not met'],
    );
    assert.equal(rows.get('added-loaded-vs-blackbox')?.verdict, 'not met');
    assert.match(rows.get('added-loaded-vs-blackbox')?.what ?? '', /one after the other/);
    assert.equal(rows.get('added-loaded-floor')?.median, 0.3);
    assert.equal(rows.get('added-loaded-blackbox')?.verdict, 'reference');
    assert.deepEqual(roundP99s(inputs.timing?.windows ?? [], 'loaded'), [
      { round: 1, agent: 1.5, blackbox: 1.2, floor: 0.3 },
    ]);
  });

  test('the ratio is the median of paired rounds', () => {
    assert.deepEqual(
      [rows.get('ratio')?.median, rows.get('ratio')?.min, rows.get('ratio')?.max, rows.get('ratio')?.verdict],
      [2.6, 2.4, 2.7, 'met'],
    );
  });

  test('phases not asked for, or a window without scrapes, are "not measured" with the reason', () => {
    const only = { ...options, only: new Set(['agent']), windowS: 5 };
    const few = issueFigures({
      ...inputs,
      big: [phase('agent-10000', { rssPeak: 1 }, { scrapesInWindow: 0 })],
      timing: undefined,
      options: only,
    }).map(figureRow);
    const byId = new Map(few.map((r) => [r.id, r]));
    assert.equal(byId.get('scrape-wall')?.verdict, 'not measured');
    assert.match(byId.get('scrape-wall')?.note ?? '', /not asked for/);
    assert.equal(byId.get('added-quiet-agent')?.verdict, 'not measured');
    const big = new Set(['big']);
    const short = issueFigures({
      ...inputs,
      big: [phase('agent-10000', { rssPeak: 1 }, { scrapesInWindow: 0 })],
      options: { ...options, only: big, windowS: 5 },
    }).map(figureRow);
    assert.match(
      short.find((r) => r.id === 'scrape-block')?.note ?? '',
      /5 s window ends before the first scrape at 7.5 s/,
    );
  });
});

describe('status page figures', () => {
  test('medians of the cold loads against 1 s and 1 MiB; a skipped phase is not measured, with its reason', () => {
    const loads = [
      { fcpMs: 210, rowsMs: 850, bytes: 300 * 1024 },
      { fcpMs: 190, rowsMs: 1200, bytes: 310 * 1024 },
      { fcpMs: 230, rowsMs: 900, bytes: 305 * 1024 },
    ];
    const rows = pageFigures({ checks: 10_000, loads }).map(figureRow);
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    assert.equal(byId['page-fcp']?.median, 210);
    assert.equal(byId['page-fcp']?.verdict, 'met');
    assert.equal(byId['page-rows']?.median, 900);
    assert.equal(byId['page-rows']?.verdict, 'met');
    assert.equal(byId['page-bytes']?.median, 305);
    const slow = pageFigures({ checks: 10_000, loads: loads.map((l) => ({ ...l, rowsMs: l.rowsMs + 500 })) });
    assert.equal(figureRow(slow[1] as Figure).verdict, 'not met');
    const skipped = pageFigures({ checks: 10_000, skipped: 'no Chromium' }).map(figureRow);
    assert.ok(skipped.every((r) => r.verdict === 'not measured' && /no Chromium/.test(r.note ?? '')));
  });
});
