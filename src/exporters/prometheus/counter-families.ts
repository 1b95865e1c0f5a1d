/** The per-check counters and the run duration histogram: they accumulate over every run. */
import { stepFamily } from './gauge-families.js';
import { BUCKETS, EXEMPLAR_ID_BYTES, F, FLAG, HIST, KIND, REASONS, STEP } from './store/columns.js';
import { line, NEWLINE, opener, type CheckFamily, type Row } from './lines.js';
import { CANARY, PROBE_DURATION_BUCKETS, type Family } from './vocabulary.js';
import { escapeLabelValue, formatValue, utf8, type ExpositionWriter } from './writer.js';

/**
 * A `{result, reason}` counter: the success series exists (at 0) from the moment the check is
 * scheduled (or its first run, attempt or skip), so rate() sees the first success; a failure
 * series from its first failure.
 */
function resultCounter(family: Family, first: number): CheckFamily {
  const success = utf8(`${family.name}{result="success",reason="",`);
  const failures = REASONS.map((reason) =>
    utf8(`${family.name}{result="failure",reason="${escapeLabelValue(reason)}",`),
  );
  return {
    family,
    has: (r) => r.view.has(r.slot, FLAG.started),
    write(r, w) {
      const counts = r.scratch;
      r.view.copy(r.slot, first, 1 + REASONS.length, counts);
      line(w, success, r);
      w.value(counts[0] as number);
      w.byte(NEWLINE);
      for (let code = 0; code < REASONS.length; code++) {
        const count = counts[1 + code] as number;
        if (count === 0) continue;
        line(w, failures[code] as Uint8Array, r);
        w.value(count);
        w.byte(NEWLINE);
      }
    },
  };
}

/** `canary_probe_runs_total`, `canary_probe_attempts_total`, `canary_scheduler_skipped_runs_total`. */
export function counterFamilies(): CheckFamily[] {
  const skipped = opener(CANARY.skipped.name);
  return [
    resultCounter(CANARY.runs, F.runs),
    resultCounter(CANARY.attempts, F.attempts),
    {
      family: CANARY.skipped,
      has: (r) => r.view.num(F.skipped, r.slot) > 0,
      write(r, w) {
        line(w, skipped, r);
        w.value(r.view.num(F.skipped, r.slot));
        w.byte(NEWLINE);
      },
    },
  ];
}

/** `canary_flow_step_failures_total{step}`: a series per step a flow run has reached (NaN: never). */
export function flowFailureFamily(): CheckFamily {
  return stepFamily(
    CANARY.flowStepFailures,
    (r) => r.kind === KIND.flow && r.view.has(r.slot, FLAG.started),
    (flow, at) => !Number.isNaN(flow[at + STEP.failures]),
    (flow, at, w) => w.value(flow[at + STEP.failures] as number),
  );
}

const TRACE_OPEN = utf8(' # {trace_id="');
const SPAN_OPEN = utf8('",span_id="');
const EXEMPLAR_CLOSE = utf8('"} ');

/** ` # {trace_id="...",span_id="..."} VALUE TIMESTAMP`: the exemplar of one bucket, if it has one. */
function writeExemplar(w: ExpositionWriter, r: Row, bucket: number): void {
  const { exemplarKinds: kinds, exemplarIds: ids, exemplarValues: values } = r.view;
  if (!kinds || !ids || !values) return;
  const cell = r.view.exemplarIndex(r.slot, bucket);
  const kind = kinds[cell] as number;
  if (kind === 0) return;
  const base = cell * EXEMPLAR_ID_BYTES;
  w.bytes(TRACE_OPEN);
  w.slice(ids, base, base + 32);
  if (kind === 2) {
    w.bytes(SPAN_OPEN);
    w.slice(ids, base + 32, base + 48);
  }
  w.bytes(EXEMPLAR_CLOSE);
  w.value(values[cell * 2] as number);
  w.byte(0x20);
  w.value(values[cell * 2 + 1] as number);
}

/**
 * `canary_probe_duration_seconds`: cumulative buckets, `+Inf`, sum and count. In
 * OpenMetrics a bucket carries the exemplar of the latest traced run that fell in it.
 */
export function histogramFamily(): CheckFamily {
  const name = CANARY.runDuration.name;
  const bounds = [...PROBE_DURATION_BUCKETS.map(formatValue), '+Inf'].map((le) => utf8(`${name}_bucket{le="${le}",`));
  const sum = opener(`${name}_sum`);
  const count = opener(`${name}_count`);
  return {
    family: CANARY.runDuration,
    has: (r) => r.view.num(F.histogram + HIST.count, r.slot) > 0,
    write(r, w) {
      // Count, sum and buckets read together, so the buckets always add up to the count.
      const s = r.scratch;
      r.view.copy(r.slot, F.histogram, HIST.size, s);
      const total = s[HIST.count] as number;
      let cumulative = 0;
      for (let i = 0; i <= BUCKETS; i++) {
        cumulative = i < BUCKETS ? cumulative + (s[HIST.buckets + i] as number) : total;
        line(w, bounds[i] as Uint8Array, r);
        w.value(cumulative);
        if (r.openMetrics) writeExemplar(w, r, i);
        w.byte(NEWLINE);
      }
      line(w, sum, r);
      w.seconds(s[HIST.sum] as number);
      w.byte(NEWLINE);
      line(w, count, r);
      w.value(total);
      w.byte(NEWLINE);
    },
  };
}
