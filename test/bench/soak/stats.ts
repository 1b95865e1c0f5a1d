/**
 * The soak test's arithmetic, kept free of I/O so it can be unit tested: a least-squares
 * slope, medians of the first and last quarter, the growth verdict per series, and the
 * table over time.
 *
 * Why these rules: on a shared 2-core machine one sample says little (a garbage collection,
 * a burst of hanging probes, a reload or a chaos run moves any series for a few seconds).
 * A slope alone is fooled by a warm-up that has not quite ended or by one noisy stretch at
 * the end; a difference of medians alone is fooled by a step that then stays flat. So memory
 * fails only when both say "growth": a positive slope above a rate per hour that would
 * matter in a week, and the last quarter's median above the first quarter's by a share.
 * Descriptors and sockets are counts that go up and down with the probes in flight; a leak
 * shows as a level that keeps rising, so they fail when the last quarter's median exceeds the
 * first quarter's by more than an allowance for the in-flight noise.
 */

/** One reading of the agent, `t` seconds after the soak started. */
export interface SoakSample {
  t: number;
  rssBytes: number;
  heapUsedBytes: number;
  fds: number;
  sockets: number;
}

/** The series the verdict looks at. */
export const SERIES = ['rssBytes', 'heapUsedBytes', 'fds', 'sockets'] as const;
export type SeriesName = (typeof SERIES)[number];

/** When a series counts as growing. */
export interface GrowthRule {
  /** Memory: the slope (bytes per hour) that must be exceeded, together with `minGrowthRatio`. */
  maxSlopePerHour?: number;
  /** Memory: the last quarter's median must exceed the first's by more than this share (0.1 = 10%). */
  minGrowthRatio?: number;
  /** Counts: the last quarter's median may exceed the first's by this much... */
  allowance?: number;
  /** ...or by this share of the first quarter's median, whichever is larger. */
  allowanceRatio?: number;
}

const MiB = 2 ** 20;

/** The thresholds of the soak test; see the module comment and docs/benchmarks.md for why. */
export const RULES: Record<SeriesName, GrowthRule> = {
  rssBytes: { maxSlopePerHour: 8 * MiB, minGrowthRatio: 0.05 },
  heapUsedBytes: { maxSlopePerHour: 8 * MiB, minGrowthRatio: 0.15 },
  fds: { allowance: 16, allowanceRatio: 0.1 },
  sockets: { allowance: 16, allowanceRatio: 0.1 },
};

/**
 * The warm-up, left out of slopes and medians: the first 20% of the run, at least 2 minutes
 * (the agent's heap and the allocator's arenas are still filling then), at most half the run.
 */
export function warmupSeconds(durationS: number): number {
  return Math.min(durationS / 2, Math.max(durationS * 0.2, 120));
}

/** Fewer samples than this after the warm-up: too few to judge. */
export const MIN_SAMPLES = 8;

/**
 * Less time than this after the warm-up is not judged: over a few minutes the heap's
 * garbage-collection cycles and the allocator's settling look like growth (a 2-minute run
 * shows heap quarter medians 12% apart). Such runs check that the harness works.
 */
export const MIN_JUDGED_SECONDS = 300;

/** The median of `values`; NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Least-squares slope of `y` over `x` (units of y per unit of x); 0 when x does not vary. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const meanX = points.reduce((s, p) => s + p.x, 0) / n;
  const meanY = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - meanX) * (p.y - meanY);
    den += (p.x - meanX) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** The samples after the warm-up of a run that lasted `durationS`. */
export function afterWarmup(samples: readonly SoakSample[], durationS: number): SoakSample[] {
  const warmup = warmupSeconds(durationS);
  return samples.filter((s) => s.t >= warmup);
}

/** What the verdict found for one series. */
export interface SeriesVerdict {
  series: SeriesName;
  samples: number;
  /** Least-squares slope after the warm-up, units per hour. */
  slopePerHour: number;
  firstQuarterMedian: number;
  lastQuarterMedian: number;
  /** `growth` fails the soak; `not-judged` (too short a run) is reported only. */
  verdict: 'ok' | 'growth' | 'not-judged';
  /** Why, in words with the numbers. */
  reason: string;
}

function judge(rule: GrowthRule, slopePerHour: number, first: number, last: number): { grew: boolean; why: string } {
  if (rule.maxSlopePerHour !== undefined) {
    const ratio = first > 0 ? last / first - 1 : 0;
    const steep = slopePerHour > rule.maxSlopePerHour;
    const rose = ratio > (rule.minGrowthRatio ?? 0);
    const limit = `${+(rule.maxSlopePerHour / MiB).toFixed(1)} MiB`;
    const why = `slope ${steep ? '>' : '<='} ${limit} per hour; last quarter ${(ratio * 100).toFixed(1)}% vs first (limit ${((rule.minGrowthRatio ?? 0) * 100).toFixed(0)}%)`;
    return { grew: steep && rose, why };
  }
  const allowed = Math.max(rule.allowance ?? 0, (rule.allowanceRatio ?? 0) * first);
  const grew = last > first + allowed;
  return { grew, why: `last quarter ${last - first >= 0 ? '+' : ''}${last - first} vs first (allowed +${allowed})` };
}

/** The verdict on one series, from the samples after the warm-up. */
export function seriesVerdict(series: SeriesName, kept: readonly SoakSample[], rule: GrowthRule): SeriesVerdict {
  const slopePerHour = slope(kept.map((s) => ({ x: s.t / 3600, y: s[series] })));
  const quarter = Math.max(1, Math.floor(kept.length / 4));
  const firstQuarterMedian = median(kept.slice(0, quarter).map((s) => s[series]));
  const lastQuarterMedian = median(kept.slice(-quarter).map((s) => s[series]));
  const base = { series, samples: kept.length, slopePerHour, firstQuarterMedian, lastQuarterMedian };
  const span = kept.length > 0 ? (kept.at(-1) as SoakSample).t - (kept[0] as SoakSample).t : 0;
  if (kept.length < MIN_SAMPLES || span < MIN_JUDGED_SECONDS)
    return {
      ...base,
      verdict: 'not-judged',
      reason: `${kept.length} samples over ${span.toFixed(0)} s after the warm-up; judging needs ${MIN_SAMPLES} over ${MIN_JUDGED_SECONDS} s`,
    };
  const { grew, why } = judge(rule, slopePerHour, firstQuarterMedian, lastQuarterMedian);
  return { ...base, verdict: grew ? 'growth' : 'ok', reason: why };
}

/** Every series judged; `failed` when any grew. */
export function verdict(
  samples: readonly SoakSample[],
  durationS: number,
  rules: Record<SeriesName, GrowthRule> = RULES,
): { series: SeriesVerdict[]; failed: boolean } {
  const kept = afterWarmup(samples, durationS);
  const series = SERIES.map((name) => seriesVerdict(name, kept, rules[name]));
  return { series, failed: series.some((s) => s.verdict === 'growth') };
}

/** One row of the table over time: the medians of the samples in `[from, to)` seconds. */
export interface TableRow {
  from: number;
  to: number;
  samples: number;
  rssBytes: number;
  heapUsedBytes: number;
  fds: number;
  sockets: number;
}

/** The run cut into `rows` equal stretches, each summarised by its medians (empty stretches left out). */
export function overTime(samples: readonly SoakSample[], durationS: number, rows = 12): TableRow[] {
  const width = durationS / rows;
  const out: TableRow[] = [];
  for (let i = 0; i < rows; i++) {
    const from = i * width;
    const to = i === rows - 1 ? Infinity : (i + 1) * width;
    const inRow = samples.filter((s) => s.t >= from && s.t < to);
    if (inRow.length === 0) continue;
    const m = (name: SeriesName) => median(inRow.map((s) => s[name]));
    out.push({
      from,
      to: Math.min(to, durationS),
      samples: inRow.length,
      rssBytes: m('rssBytes'),
      heapUsedBytes: m('heapUsedBytes'),
      fds: m('fds'),
      sockets: m('sockets'),
    });
  }
  return out;
}
