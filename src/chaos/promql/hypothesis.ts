/**
 * PromQL entries beside the check-based ones: judged once before the method, watched every
 * `every` during it, waited for after the rollback. Their verdicts join the same journal
 * reports, so a run's record reads the same whoever judged it.
 */
import type { PromqlEntry } from '../model/experiment.js';
import type { HypothesisReport } from '../model/journal.js';
import { queryPrometheus } from './client.js';
import { promqlVerdict, type PromqlEntryReport } from './verdict.js';

const NO_PROMETHEUS =
  'no Prometheus to ask: set chaos.prometheus in the agent config (or pass --prometheus to canary chaos run)';

/** Every entry evaluated now, in parallel; each query waits at most its entry's `every` (1 s at least). */
export async function judgePromql(
  entries: readonly PromqlEntry[],
  prometheus: string | undefined,
  signal?: AbortSignal,
): Promise<PromqlEntryReport[]> {
  return Promise.all(
    entries.map(async (entry): Promise<PromqlEntryReport> => {
      if (prometheus === undefined)
        return {
          check: `promql: ${entry.promql}`,
          holds: false,
          judgeable: false,
          samples: 0,
          values: {},
          failed: [NO_PROMETHEUS],
        };
      const answer = await queryPrometheus(prometheus, entry.promql, Math.max(1000, entry.everyMs), signal);
      return promqlVerdict(entry, answer, Date.now());
    }),
  );
}

/** A report with the PromQL verdicts added: it holds when it held and every one of them holds. */
export function withPromql(report: HypothesisReport, verdicts: readonly PromqlEntryReport[]): HypothesisReport {
  if (verdicts.length === 0) return report;
  return {
    ...report,
    holds: report.holds && verdicts.every((v) => v.holds),
    entries: [...report.entries, ...verdicts],
  };
}

/** How often a set of entries is evaluated: the shortest `every` among them. */
export function everyOf(entries: readonly PromqlEntry[]): number {
  return Math.min(...entries.map((e) => e.everyMs));
}

/** Evaluates until every entry holds or `until` (epoch ms) passes; resolves with the last verdicts. */
export async function awaitPromql(
  entries: readonly PromqlEntry[],
  prometheus: string | undefined,
  until: number,
  signal?: AbortSignal,
): Promise<PromqlEntryReport[]> {
  let verdicts = await judgePromql(entries, prometheus, signal);
  while (!verdicts.every((v) => v.holds) && Date.now() < until && !signal?.aborted) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(everyOf(entries), Math.max(0, until - Date.now()))));
    verdicts = await judgePromql(entries, prometheus, signal);
  }
  return verdicts;
}

/**
 * `abortWhen` PromQL entries, evaluated every `every` until the returned cleanup is called:
 * the first evaluation where one holds trips. So does one where Prometheus cannot be asked
 * or answers stale: a fault whose only witness is the fleet's view must not go on blind.
 * An empty answer (a filter query with nothing left) does not trip; `unjudged` hears why,
 * once per change.
 */
export function watchPromqlAbort(o: {
  entries: readonly PromqlEntry[];
  prometheus: string | undefined;
  stopped: () => boolean;
  tripped: (report: HypothesisReport) => void;
  unjudged: (reasons: string[], report: HypothesisReport) => void;
}): () => void {
  if (o.entries.length === 0) return () => undefined;
  const stop = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let lastUnjudged = '';
  const tick = async (): Promise<void> => {
    const verdicts = await judgePromql(o.entries, o.prometheus, stop.signal);
    if (stop.signal.aborted || o.stopped()) return;
    if (verdicts.some((v) => v.holds || v.blind)) {
      o.tripped({ at: new Date().toISOString(), holds: false, entries: verdicts });
      return;
    }
    const reasons = verdicts
      .filter((v) => v.judgeable === false)
      .flatMap((v) => v.failed.map((f) => `${v.check}: ${f}`));
    if (reasons.join('\n') !== lastUnjudged && reasons.length > 0)
      o.unjudged(reasons, { at: new Date().toISOString(), holds: false, entries: verdicts });
    lastUnjudged = reasons.join('\n');
    timer = setTimeout(() => void tick(), everyOf(o.entries));
  };
  void tick();
  return () => {
    stop.abort();
    clearTimeout(timer);
  };
}
