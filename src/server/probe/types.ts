/** What the `/probe` metric builders share. */
import type { ResolvedCheck } from '../../config/types.js';
import type { CheckResult } from '../../results/types.js';

/** One metric family with its samples. */
export interface ProbeMetric {
  name: string;
  help: string;
  /** One sample per entry; `labels` only on families such as `probe_http_duration_seconds{phase}`. */
  samples: { labels?: Record<string, string>; value: number }[];
}

/** What a kind's metrics are made from: the one-off check, its result, and the deadline. */
export interface ProbeRun {
  check: ResolvedCheck;
  result: CheckResult;
  /** Aborted when the scrape's time is up; a builder that does I/O must stop then. */
  signal: AbortSignal;
}

/** Builds the metrics of one probe kind, beyond `probe_success` and `probe_duration_seconds`. */
export type KindMetrics = (run: ProbeRun) => Promise<ProbeMetric[]>;

/** A family with one unlabelled sample. */
export function gauge(name: string, help: string, value: number): ProbeMetric {
  return { name, help, samples: [{ value }] };
}

