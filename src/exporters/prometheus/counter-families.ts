/** The per-check counters and the run duration histogram: they accumulate over every run. */
import { stepLabel, type CheckState, type ReasonCounts } from './check-state.js';
import { line, NEWLINE, opener, type CheckFamily, type Pieces } from './lines.js';
import { CANARY, PROBE_DURATION_BUCKETS, type Family } from './vocabulary.js';
import { escapeLabelValue, formatValue, utf8, type ExpositionWriter } from './writer.js';

const SUCCESS = utf8(',result="success",reason=""');

/** `,result="failure",reason="REASON"` per reason, encoded on first use (the set is closed and small). */
const failureLabels = new Map<string, Uint8Array>();

function failureLabel(reason: string): Uint8Array {
  let label = failureLabels.get(reason);
  if (label === undefined) failureLabels.set(reason, (label = utf8(`,result="failure",reason="${escapeLabelValue(reason)}"`)));
  return label;
}

/**
 * A `{result, reason}` counter: the success series exists (at 0) from the check's first run,
 * attempt or skip, so rate() sees the first success; a failure series from its first failure.
 */
function resultCounter(family: Family, p: Pieces, ok: (s: CheckState) => number, failed: (s: CheckState) => ReasonCounts): CheckFamily {
  const open = opener(family.name);
  return {
    family,
    has: (s) => s.started,
    write(s, w) {
      line(w, open, s, p, SUCCESS);
      w.value(ok(s));
      w.byte(NEWLINE);
      for (const [reason, count] of failed(s) ?? []) {
        line(w, open, s, p, failureLabel(reason));
        w.value(count);
        w.byte(NEWLINE);
      }
    },
  };
}

/** `canary_probe_runs_total`, `canary_probe_attempts_total`, `canary_scheduler_skipped_runs_total`. */
export function counterFamilies(p: Pieces): CheckFamily[] {
  const skipped = opener(CANARY.skipped.name);
  return [
    resultCounter(CANARY.runs, p, (s) => s.runsOk, (s) => s.runsFailed),
    resultCounter(CANARY.attempts, p, (s) => s.attemptsOk, (s) => s.attemptsFailed),
    {
      family: CANARY.skipped,
      has: (s) => s.skipped > 0,
      write(s, w) {
        line(w, skipped, s, p);
        w.value(s.skipped);
        w.byte(NEWLINE);
      },
    },
  ];
}

/** `canary_flow_step_failures_total{step}`: a series per step a flow run has reached. */
export function flowFailureFamily(p: Pieces): CheckFamily {
  const open = opener(CANARY.flowStepFailures.name);
  return {
    family: CANARY.flowStepFailures,
    has: (s) => s.flowFailures !== undefined && s.flowFailures.size > 0,
    write(s, w) {
      for (const [step, count] of s.flowFailures ?? []) {
        line(w, open, s, p, stepLabel(step));
        w.value(count);
        w.byte(NEWLINE);
      }
    },
  };
}

/**
 * `canary_probe_duration_seconds`: cumulative buckets, `+Inf`, sum and count. In
 * OpenMetrics a bucket carries the exemplar of the latest traced run that fell in it.
 */
export function histogramFamily(p: Pieces): CheckFamily {
  const name = CANARY.runDuration.name;
  const bounds = [...PROBE_DURATION_BUCKETS.map(formatValue), '+Inf'].map((le) => utf8(`${name}_bucket{le="${le}",${p.lead}`));
  const sum = utf8(`${name}_sum{${p.lead}`);
  const count = utf8(`${name}_count{${p.lead}`);
  const close = utf8('} ');
  const head = (w: ExpositionWriter, open: Uint8Array, s: CheckState): void => {
    w.bytes(open);
    w.bytes(s.labels);
    w.bytes(close);
  };
  return {
    family: CANARY.runDuration,
    has: (s) => s.count > 0 && s.buckets !== undefined,
    write(s, w, openMetrics) {
      const buckets = s.buckets as Float64Array;
      const exemplars = openMetrics ? s.exemplars : undefined;
      let cumulative = 0;
      for (let i = 0; i < bounds.length; i++) {
        cumulative = i < buckets.length ? cumulative + (buckets[i] as number) : s.count;
        head(w, bounds[i] as Uint8Array, s);
        w.value(cumulative);
        const exemplar = exemplars?.[i];
        if (exemplar !== undefined) w.text(exemplar);
        w.byte(NEWLINE);
      }
      head(w, sum, s);
      w.seconds(s.sum);
      w.byte(NEWLINE);
      head(w, count, s);
      w.value(s.count);
      w.byte(NEWLINE);
    },
  };
}
