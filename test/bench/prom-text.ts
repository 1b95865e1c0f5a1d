/**
 * Just enough of the Prometheus text format to count probes and read one histogram from
 * a scrape: sample lines `name{label="value",...} value`, comments skipped.
 */

/** One sample line. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function unescape(value: string): string {
  return value.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** Parses one sample line; undefined for comments, blank lines and anything unreadable. */
export function parseLine(line: string): Sample | undefined {
  if (line === '' || line.startsWith('#')) return undefined;
  const brace = line.indexOf('{');
  const space = line.indexOf(' ');
  let name: string;
  let labels: Record<string, string> = {};
  let rest: string;
  if (brace !== -1 && (space === -1 || brace < space)) {
    const close = line.lastIndexOf('}');
    if (close < brace) return undefined;
    name = line.slice(0, brace);
    labels = {};
    for (const m of line.slice(brace + 1, close).matchAll(LABEL)) labels[m[1] as string] = unescape(m[2] as string);
    rest = line.slice(close + 1).trim();
  } else {
    if (space === -1) return undefined;
    name = line.slice(0, space);
    rest = line.slice(space + 1).trim();
  }
  // A timestamp may follow the value.
  const value = Number(rest.split(' ')[0]);
  return Number.isNaN(value) && rest.split(' ')[0] !== 'NaN' ? undefined : { name, labels, value };
}

/** Every sample called `name` in `text` whose labels include all of `match`. */
export function samples(text: string, name: string, match: Record<string, string> = {}): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    // Cheap prefix test first: a 1,000-check scrape has tens of thousands of lines.
    if (!line.startsWith(name)) continue;
    const sample = parseLine(line);
    if (sample?.name !== name) continue;
    if (Object.entries(match).every(([k, v]) => sample.labels[k] === v)) out.push(sample);
  }
  return out;
}

/** The sum of every matching sample. */
export function sum(text: string, name: string, match: Record<string, string> = {}): number {
  return samples(text, name, match).reduce((total, s) => total + s.value, 0);
}

/** A histogram summed over its series: cumulative bucket counts by `le`, sum and count. */
export interface Histogram {
  buckets: Map<number, number>;
  sum: number;
  count: number;
}

/** Reads histogram `name` (the base name, without `_bucket`), summed over series matching `match`. */
export function histogram(text: string, name: string, match: Record<string, string> = {}): Histogram {
  const buckets = new Map<number, number>();
  for (const s of samples(text, `${name}_bucket`, match)) {
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
    buckets.set(le, (buckets.get(le) ?? 0) + s.value);
  }
  return { buckets, sum: sum(text, `${name}_sum`, match), count: sum(text, `${name}_count`, match) };
}

/** What happened to a histogram between two scrapes. */
export function histogramDelta(before: Histogram, after: Histogram): Histogram {
  const buckets = new Map<number, number>();
  for (const [le, count] of after.buckets) buckets.set(le, count - (before.buckets.get(le) ?? 0));
  return { buckets, sum: after.sum - before.sum, count: after.count - before.count };
}

/**
 * The upper bound of the bucket holding quantile `q`: "99% of observations were at most
 * this". Undefined when the histogram is empty.
 */
export function quantileUpperBound(h: Histogram, q: number): number | undefined {
  return quantileBucket(h, q)?.upper;
}

/**
 * The bucket holding quantile `q`, as `(lower, upper]`: the quantile is above `lower`
 * (the next smaller bound, 0 for the first bucket) and at most `upper`. A histogram only
 * tells that much. Undefined when the histogram is empty.
 */
export function quantileBucket(h: Histogram, q: number): { lower: number; upper: number } | undefined {
  if (h.count <= 0) return undefined;
  const rank = q * h.count;
  const bounds = [...h.buckets.keys()].sort((a, b) => a - b);
  let lower = 0;
  for (const le of bounds) {
    if ((h.buckets.get(le) ?? 0) >= rank) return { lower, upper: le };
    lower = le;
  }
  return { lower, upper: Infinity };
}
