/** What the `/probe` metric builders share. */
import type { ResolvedCheck } from '../../config/types.js';
import type { Family } from '../../exporters/prometheus/vocabulary.js';
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

/** A family of the blackbox vocabulary with one unlabelled sample. */
export function gauge(family: Family, value: number): ProbeMetric {
  return { name: family.name, help: family.help, samples: [{ value }] };
}

/** A family of the blackbox vocabulary with one sample per label value, e.g. `{phase}`. */
export function labelled(family: Family, samples: ProbeMetric['samples']): ProbeMetric {
  return { name: family.name, help: family.help, samples };
}
