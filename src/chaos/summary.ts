/** The few lines `canary chaos run` prints at the end: what happened, in words. */
import { describeCall } from './faults.js';
import type { HypothesisReport, Journal } from './model/journal.js';

/** One hypothesis entry's figures, as measured: `front (40 results) successRatio=0.9750 p95=12.0ms`. */
export function entryFigures(e: HypothesisReport['entries'][number]): string {
  const values = Object.entries(e.values)
    .map(([k, v]) => `${k}=${k === 'successRatio' ? v.toFixed(4) : `${(v * 1000).toFixed(1)}ms`}`)
    .join(' ');
  return `${e.check} (${e.samples} results)${values ? ` ${values}` : ''}`;
}

function hypothesis(label: string, report: HypothesisReport | undefined): string[] {
  if (!report) return [];
  const lines = [`${label}: ${report.holds ? 'held' : 'did NOT hold'}`];
  for (const e of report.entries) {
    lines.push(`  ${entryFigures(e)}${e.failed.length ? ` — ${e.failed.join('; ')}` : ''}`);
  }
  return lines;
}

function waveLines(j: Journal): string[] {
  const waves = j.waves ?? [];
  if (waves.length === 0) return [];
  return [
    'failback waves:',
    ...waves.map((w) => {
      const checks = w.checks
        .map(
          (c) =>
            `${c.check} ${c.successRatio === undefined ? 'no results' : `success ${(c.successRatio * 100).toFixed(1)}% p95 ${((c.p95 ?? 0) * 1000).toFixed(0)}ms`}`,
        )
        .join(', ');
      return `  ${w.step} wave ${w.wave} [${w.instances.join(', ')}] at ${w.startedAt}: ${checks}; gate ${w.gate ? 'passed' : 'FAILED'}`;
    }),
  ];
}

export function summarize(j: Journal): string {
  const seconds = j.endedAt ? ((Date.parse(j.endedAt) - Date.parse(j.startedAt)) / 1000).toFixed(1) : '?';
  const faults = j.faults.map(
    (f) =>
      `  ${f.step}${f.instance ? ` [${f.instance}]` : ''}: ${describeCall(f.apply)} → ${f.status}${f.revert ? '' : ' (no revert)'}`,
  );
  const rollbacks = j.rollbacks.map((r) => `  ${r.id}: ${r.status}${r.error ? ` (${r.error})` : ''}`);
  return [
    `${j.experiment}: ${j.status.toUpperCase()}${j.reason ? ` — ${j.reason}` : ''}`,
    `run ${j.runId}, ${seconds}s, operator ${j.operator}${j.approvedBy ? `, approved by ${j.approvedBy}` : ''}; deviated: ${j.deviated ? 'yes' : 'no'}`,
    ...hypothesis('steady state before', j.steadyState.before),
    ...hypothesis('abort condition met', j.steadyState.aborted),
    ...(faults.length ? ['faults:', ...faults] : ['faults: none applied']),
    ...waveLines(j),
    ...(rollbacks.length ? ['rollback:', ...rollbacks] : []),
    ...hypothesis('steady state after rollback', j.steadyState.after),
  ].join('\n');
}
