/**
 * A PromQL entry judged on one answer of Prometheus (pure): an error, an empty vector or a
 * stale answer never holds, and says why, so the journal tells "the fleet is down" from
 * "the fleet could not be asked".
 */
import { compare } from '../hypothesis.js';
import type { PromqlEntry } from '../model/experiment.js';
import type { HypothesisReport } from '../model/journal.js';

/** One element of an instant vector: its labels, its evaluation time (s) and its value. */
export interface PromSample {
  labels: Record<string, string>;
  at: number;
  value: number;
}

/** What a query gave: the vector, or why there is none. */
export type PromAnswer = { ok: true; samples: PromSample[] } | { ok: false; error: string };

export type PromqlEntryReport = HypothesisReport['entries'][number];

/** The series as the journal shows it: `{check="web",region="eu"} 0.5`. */
export function showSample(s: PromSample): string {
  const labels = Object.entries(s.labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',');
  return `{${labels}} ${s.value}`;
}

/** Why the answer cannot be judged at all (error, empty, stale), or undefined when it can. */
function unjudgeable(entry: PromqlEntry, answer: PromAnswer, now: number): string | undefined {
  if (!answer.ok) return `prometheus: ${answer.error}`;
  if (answer.samples.length === 0) return 'empty result: no series';
  const oldest = Math.min(...answer.samples.map((s) => s.at * 1000));
  if (now - oldest > entry.staleAfterMs)
    return `stale answer: evaluated ${Math.round((now - oldest) / 1000)}s ago (more than ${entry.staleAfterMs / 1000}s)`;
  return undefined;
}

/** The entry judged: holds when the answer is judgeable and every series meets `expect`. */
export function promqlVerdict(entry: PromqlEntry, answer: PromAnswer, now: number): PromqlEntryReport {
  const base = { check: `promql: ${entry.promql}`, samples: answer.ok ? answer.samples.length : 0, values: {} };
  const why = unjudgeable(entry, answer, now);
  const samples = answer.ok ? answer.samples : [];
  const observed = samples.map(showSample);
  if (why !== undefined) {
    // Empty is a filter query's normal answer; an error or a stale answer means nobody looked.
    const blind = !answer.ok || answer.samples.length > 0;
    return { ...base, holds: false, judgeable: false, ...(blind ? { blind } : {}), failed: [why], observed };
  }
  const expect = entry.expect;
  const failed = expect
    ? samples.filter((s) => !compare(expect, s.value)).map((s) => `${showSample(s)} not ${expect.text}`)
    : [];
  return { ...base, holds: failed.length === 0, judgeable: true, failed, observed };
}
