/**
 * Figures judged against targets: each is measured once a round, and its median over the
 * rounds (with min and max) is set beside its target as met or not met. Kept free of
 * processes and I/O so the tests can check the verdicts on known numbers.
 */
import { spread } from './report.js';

/** How a figure must compare with its target value. */
export type Comparison = '<' | '<=' | '>=' | '>';

/** A target: `value op target.value` must hold. */
export interface FigureTarget {
  op: Comparison;
  value: number;
}

/**
 * `met`, `not met`; `undecided` when the figure is known only as a histogram bucket that
 * straddles the target; `not measured` when no round measured it; `reference` for a figure
 * shown for comparison, with no target of its own.
 */
export type Verdict = 'met' | 'not met' | 'undecided' | 'not measured' | 'reference';

/** One figure, as measured over the rounds. */
export interface Figure {
  id: string;
  /** What it is, as the table says it. */
  what: string;
  unit: string;
  /** Decimals to print. */
  digits: number;
  /** One value per round that measured it. */
  values: number[];
  /** Absent for a reference figure. */
  target?: FigureTarget;
  /**
   * When each value is only the upper bound of a histogram bucket: the bucket's lower
   * bound, same order. The true value is in `(lower, upper]`.
   */
  lowerBounds?: number[];
  /** Said under the table: why it was not measured, or how to read it. */
  note?: string;
}

/** A figure reduced to its row. */
export interface FigureRow {
  id: string;
  what: string;
  unit: string;
  /** Median over rounds; null when not measured. */
  median: number | null;
  min: number | null;
  max: number | null;
  n: number;
  /** With bucket figures: the lower bound of the median's bucket. */
  lowerBound?: number;
  target: FigureTarget | null;
  verdict: Verdict;
  /** The row as printed. */
  measuredText: string;
  targetText: string;
  note?: string;
}

/** Whether `value op target` holds. */
export function holds(value: number, target: FigureTarget): boolean {
  switch (target.op) {
    case '<':
      return value < target.value;
    case '<=':
      return value <= target.value;
    case '>=':
      return value >= target.value;
    case '>':
      return value > target.value;
  }
}

/**
 * The verdict on a value known to lie in `(lower, upper]`: met if every value there
 * meets the target, not met if none does, undecided otherwise. A plain value is the
 * interval with `lower` just under it.
 */
export function verdictWithin(lower: number, upper: number, target: FigureTarget): Verdict {
  const { op, value: t } = target;
  const all = op === '<' ? upper < t : op === '<=' ? upper <= t : lower >= t;
  const none = op === '<' || op === '<=' ? lower >= t : op === '>=' ? upper < t : upper <= t;
  return all ? 'met' : none ? 'not met' : 'undecided';
}

/** The middle of the bucket figures: the upper middle when n is even (bucket bounds cannot be averaged). */
function bucketMedian(figure: Figure): { upper: number; lower: number } {
  const pairs = figure.values
    .map((upper, i) => ({ upper, lower: figure.lowerBounds?.[i] ?? upper }))
    .sort((a, b) => a.upper - b.upper);
  return pairs[Math.floor(pairs.length / 2)] as { upper: number; lower: number };
}

const OP_TEXT: Record<Comparison, string> = { '<': '<', '<=': '≤', '>=': '≥', '>': '>' };

/** `value` with its unit; `digits` undefined prints the number as written (targets). */
function withUnit(value: number, unit: string, digits?: number): string {
  const text = Number.isFinite(value) && digits !== undefined ? value.toFixed(digits) : String(value);
  return unit === '×' ? `${text}×` : `${text} ${unit}`;
}

/** Median, spread, verdict and text of one figure. */
export function figureRow(figure: Figure): FigureRow {
  const { values, unit, digits, target } = figure;
  const targetText = target ? `${OP_TEXT[target.op]} ${withUnit(target.value, unit)}` : '(reference)';
  const base = {
    id: figure.id,
    what: figure.what,
    unit,
    n: values.length,
    target: target ?? null,
    targetText,
    ...(figure.note ? { note: figure.note } : {}),
  };
  if (values.length === 0)
    return { ...base, median: null, min: null, max: null, verdict: 'not measured', measuredText: 'not measured' };
  const s = spread(values);
  const range = values.length > 1 ? ` (${s.min.toFixed(digits)}–${s.max.toFixed(digits)}, n=${values.length})` : '';
  if (figure.lowerBounds) {
    const { upper, lower } = bucketMedian(figure);
    const verdict = target ? verdictWithin(lower, upper, target) : 'reference';
    const measuredText = `≤ ${withUnit(upper, unit, digits)}, above ${withUnit(lower, unit, digits)} (bucket)${range}`;
    return { ...base, median: upper, min: s.min, max: s.max, lowerBound: lower, verdict, measuredText };
  }
  const verdict = target ? (holds(s.median, target) ? 'met' : 'not met') : 'reference';
  return {
    ...base,
    median: s.median,
    min: s.min,
    max: s.max,
    verdict,
    measuredText: `${withUnit(s.median, unit, digits)}${range}`,
  };
}

/** The rows as a Markdown table, then the notes. */
export function figuresTable(rows: readonly FigureRow[]): string {
  const head = ['figure', 'measured (median, min–max)', 'target', 'met / not met'];
  const verdictText = (v: Verdict) =>
    v === 'met' ? '**met**' : v === 'not met' ? '**not met**' : v === 'reference' ? '-' : v;
  const lines = [
    head,
    head.map(() => '---'),
    ...rows.map((r) => [r.what, r.measuredText, r.targetText, verdictText(r.verdict)]),
  ].map((cells) => `| ${cells.join(' | ')} |`);
  // One line per distinct note: figures left out for the same reason share it.
  const byNote = new Map<string, FigureRow[]>();
  for (const r of rows) if (r.note) byNote.set(r.note, [...(byNote.get(r.note) ?? []), r]);
  const notes = [...byNote].map(([note, list]) =>
    list.length === 1
      ? `- ${list[0]?.what}: ${note}`
      : `- ${note}: ${list.length} figures (${list.map((r) => r.id).join(', ')})`,
  );
  return [...lines, ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
}
