/** `canary status` as text: a table of checks and a chaos line, coloured on a terminal. */
import type { CheckSummary } from '../agent/status/summary.js';
import type { ChaosAnswer, ChecksAnswer } from './status-client.js';

/** ANSI colours by state; none when the output is not a terminal or NO_COLOR is set. */
const COLOURS: Record<string, string> = {
  up: '\x1b[32m',
  down: '\x1b[31m',
  flapping: '\x1b[33m',
  pending: '\x1b[2m',
  disabled: '\x1b[2m',
};
const RESET = '\x1b[0m';

/** Whether to colour: a terminal, and no NO_COLOR (https://no-color.org) set to anything. */
export function useColour(isTTY: boolean | undefined, env: NodeJS.ProcessEnv): boolean {
  return isTTY === true && (env.NO_COLOR ?? '') === '';
}

/** `12s ago`, `3m ago`, `2h ago`, `4d ago`; `-` when never. */
export function ago(iso: string | null, now: number): string {
  if (iso === null) return '-';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1_000));
  if (s < 120) return `${s}s ago`;
  if (s < 7_200) return `${Math.round(s / 60)}m ago`;
  if (s < 172_800) return `${Math.round(s / 3_600)}h ago`;
  return `${Math.round(s / 86_400)}d ago`;
}

function percent(ratio: number | null): string {
  return ratio === null ? '-' : `${+(ratio * 100).toFixed(2)}%`;
}

function millis(ms: number | null): string {
  return ms === null ? '-' : `${ms < 10 ? ms.toFixed(1) : Math.round(ms)}ms`;
}

function row(c: CheckSummary, now: number): string[] {
  return [
    c.state,
    c.name,
    c.kind,
    percent(c.window.successRatio),
    millis(c.window.p95Ms),
    ago(c.lastRun, now),
    c.reason ?? '',
  ];
}

/** Columns padded to their widest cell; the state column coloured after padding, so widths hold. */
function table(rows: string[][], colour: boolean): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((cells, n) =>
    cells
      .map((cell, i) => {
        const padded = i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0);
        const code = colour && n > 0 && i === 0 ? COLOURS[cell] : undefined;
        return code ? `${code}${padded}${RESET}` : padded;
      })
      .join('  ')
      .trimEnd(),
  );
}

/** The chaos line: halted or not, and the run in progress. */
export function chaosLine(chaos: ChaosAnswer): string {
  const parts = [chaos.enabled ? 'chaos: scheduled runs on' : 'chaos: scheduled runs off'];
  parts.push(
    chaos.halted ? `HALTED by ${chaos.halted.operator} at ${chaos.halted.at} (${chaos.halted.reason})` : 'not halted',
  );
  const run = chaos.active;
  if (run === null) parts.push('no run in progress');
  else {
    const step = run.step
      ? ` at ${run.step.id}${run.step.index !== null && run.step.of !== null ? ` (${run.step.index + 1} of ${run.step.of})` : ''} ${run.step.label}`
      : '';
    parts.push(`running ${run.experiment} (${run.runId})${step}`);
  }
  return parts.join('; ');
}

/** The whole view: a heading with the counts, the table, the chaos line. */
export function formatStatus(
  url: string,
  checks: ChecksAnswer,
  chaos: ChaosAnswer | undefined,
  options: { colour: boolean; now: number },
): string {
  const counts = Object.entries(checks.counts)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
  const lines = [
    `canary ${checks.agent.version}, region ${checks.agent.region}, at ${url}: ${counts || 'no checks'}`,
    '',
  ];
  if (checks.checks.length === 0) lines.push('no checks match');
  else {
    const header = ['STATE', 'NAME', 'KIND', 'SUCCESS', 'P95', 'LAST RUN', 'REASON'];
    lines.push(...table([header, ...checks.checks.map((c) => row(c, options.now))], options.colour));
  }
  if (checks.total > checks.checks.length) lines.push(`... and ${checks.total - checks.checks.length} more`);
  if (chaos) lines.push('', chaosLine(chaos));
  return lines.join('\n');
}
