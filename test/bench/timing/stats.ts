/**
 * The arithmetic of the timing benchmark, kept free of processes and I/O so the tests can
 * check it on known inputs: quantiles, the `Server-Timing` hold a response reports, the
 * `processing` phase in a blackbox_exporter `/probe` answer, and the pairing of each
 * probe's `processing` with the hold the target reported for that same request.
 */
import { samples } from '../prom-text.js';

/** One probe of the holding target, with both of its clocks, in ms. */
export interface TimedSample {
  /** When the probe started, epoch ms: what decides whether it falls in the window. */
  startedAt: number;
  /** The prober's own `processing` phase. */
  processingMs: number;
  /** How long the target says it held the request. */
  holdMs: number;
}

/** Quantiles of a list of ms values; NaN when the list is empty. */
export interface Quantiles {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * Nearest-rank quantile of an ascending list: the smallest value with at least `q` of the
 * list at or below it. Nearest-rank rather than interpolated, so every figure printed is
 * a latency that was really observed.
 */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

/** p50, p90, p99 and max of `values` (in any order). */
export function quantiles(values: readonly number[]): Quantiles {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    max: sorted.at(-1) ?? NaN,
  };
}

/** The figures of one prober over one window. */
export interface SampleSummary {
  /** `processing − hold`: what the prober adds, the headline. */
  added: Quantiles;
  processing: Quantiles;
  hold: Quantiles;
  /** `hold − configured hold`: the target's own timer jitter, for scale. */
  jitter: Quantiles;
}

/** Summarises matched samples; `holdMs` is the hold the target was configured with. */
export function summarise(list: readonly TimedSample[], holdMs: number): SampleSummary {
  return {
    added: quantiles(list.map((s) => s.processingMs - s.holdMs)),
    processing: quantiles(list.map((s) => s.processingMs)),
    hold: quantiles(list.map((s) => s.holdMs)),
    jitter: quantiles(list.map((s) => s.holdMs - holdMs)),
  };
}

/**
 * The `dur` (ms) of metric `name` in a `Server-Timing` header such as
 * `cache;desc="x", hold;dur=50.123`; undefined when absent or unreadable.
 */
export function serverTimingMs(header: string | undefined, name = 'hold'): number | undefined {
  if (header === undefined) return undefined;
  for (const metric of header.split(',')) {
    const [metricName, ...params] = metric.split(';').map((part) => part.trim());
    if (metricName !== name) continue;
    for (const param of params) {
      const eq = param.indexOf('=');
      if (eq === -1 || param.slice(0, eq).trim().toLowerCase() !== 'dur') continue;
      const value = Number(
        param
          .slice(eq + 1)
          .trim()
          .replace(/^"|"$/g, ''),
      );
      return Number.isFinite(value) ? value : undefined;
    }
  }
  return undefined;
}

/** What a `/probe` answer of blackbox_exporter says about one HTTP probe. */
export interface BlackboxProbe {
  success: boolean;
  /** `probe_http_duration_seconds{phase="processing"}` in ms; undefined when absent. */
  processingMs: number | undefined;
}

/** Reads `probe_success` and the `processing` phase from a `/probe` answer. */
export function parseBlackboxProbe(text: string): BlackboxProbe {
  const success = samples(text, 'probe_success')[0]?.value === 1;
  const processing = samples(text, 'probe_http_duration_seconds', { phase: 'processing' })[0];
  return { success, processingMs: processing === undefined ? undefined : processing.value * 1000 };
}

/** A blackbox probe of the holding target as the driver saw it, before pairing with the hold. */
export interface IdRecord {
  id: string;
  startedAt: number;
  /** Undefined when the probe failed or its answer had no `processing` phase. */
  processingMs: number | undefined;
}

/** Records paired with the target's hold log. */
export interface Matched {
  samples: TimedSample[];
  /** Probes with no `processing` (failed, or the answer lacked it). */
  failed: number;
  /** Probes with a `processing` but no hold logged under their id. */
  unmatched: number;
}

/** Pairs each record with the hold logged under its id. */
export function matchById(records: readonly IdRecord[], holds: ReadonlyMap<string, number>): Matched {
  const out: Matched = { samples: [], failed: 0, unmatched: 0 };
  for (const record of records) {
    if (record.processingMs === undefined) {
      out.failed++;
      continue;
    }
    const holdMs = holds.get(record.id);
    if (holdMs === undefined) out.unmatched++;
    else out.samples.push({ startedAt: record.startedAt, processingMs: record.processingMs, holdMs });
  }
  return out;
}

/** Those of `list` that started in `[from, to)` (epoch ms). */
export function inWindow<T extends { startedAt: number }>(list: readonly T[], from: number, to: number): T[] {
  return list.filter((item) => item.startedAt >= from && item.startedAt < to);
}
