/** Failback waves and hypothesis figures of a journal, as the status API shows them. */
import type { HypothesisReport, Journal, WaveRecord } from '../../chaos/model/journal.js';

/** One wave: the worst success ratio and p95 among the hypothesis checks measured over it. */
export function waveOf(w: WaveRecord, index: number) {
  const ratios = w.checks.flatMap((c) => (c.successRatio === undefined ? [] : [c.successRatio]));
  const p95s = w.checks.flatMap((c) => (c.p95 === undefined ? [] : [c.p95 * 1_000]));
  return {
    index,
    step: w.step,
    wave: w.wave,
    startedAt: w.startedAt,
    instances: w.instances,
    successRatio: ratios.length > 0 ? Math.min(...ratios) : null,
    p95Ms: p95s.length > 0 ? Math.max(...p95s) : null,
    gate: (w.gate ? 'passed' : 'failed') as 'passed' | 'failed' | 'pending',
  };
}

export function wavesOf(journal: Journal) {
  return (journal.waves ?? []).map(waveOf);
}

/** The wave in progress, after the finished ones: no figures yet, its gate pending. */
export function pendingWaveOf(
  w: { step: string; wave: number; startedAt: string; instances: string[] },
  index: number,
): ReturnType<typeof waveOf> {
  return { ...w, index, successRatio: null, p95Ms: null, gate: 'pending' };
}

/** The newest hypothesis verdict of a run: after, at an abort, while unjudged, or before. */
export function latestHypothesis(journal: Journal) {
  const s = journal.steadyState;
  const report: HypothesisReport | undefined = s.after ?? s.aborted ?? s.abortUnjudged ?? s.before;
  return report ? hypothesisFigures(report, false) : null;
}

/** A hypothesis report as the status API shows it; `live`: judged now, not read from the journal. */
export function hypothesisFigures(report: HypothesisReport, live: boolean) {
  return {
    live,
    holds: report.holds,
    at: report.at,
    entries: report.entries.map((e) => ({
      check: e.check,
      successRatio: e.values.successRatio ?? null,
      p95Ms: e.values.p95 === undefined ? null : e.values.p95 * 1_000,
      holds: e.holds,
    })),
  };
}
