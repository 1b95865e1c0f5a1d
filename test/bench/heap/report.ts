/** The heap benchmark's Markdown: owner tables ready to paste into BENCHMARKS.md. */
import type { Comparison, HeapRun, Row } from './compare.js';

const MIB = 2 ** 20;

function mib(bytes: number): string {
  if (Number.isNaN(bytes)) return '-';
  return (bytes / MIB).toFixed(bytes < 10 * MIB ? 2 : 1);
}

function perCheck(bytes: number): string {
  // `|| 0` turns a rounded -0 (a few bytes fewer) into 0.
  return Number.isFinite(bytes) ? (Math.round(bytes) || 0).toLocaleString('en-US') : '-';
}

function table(header: string[], rows: string[][]): string {
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

const count = (n: number) => n.toLocaleString('en-US');

/** Columns: MiB at each run, optionally bytes per check at each run, then bytes per added check. */
function byRun(
  first: string,
  c: Comparison,
  rows: readonly Row[],
  options: { roots?: boolean; perCheck?: boolean } = {},
): string {
  const last = c.checks.length - 1;
  const header = [
    first,
    ...(options.roots ? [`roots at ${count(c.checks[last] ?? 0)}`] : []),
    ...c.checks.map((n) => `MiB at ${count(n)} checks`),
    ...(options.perCheck ? c.checks.map((n) => `bytes per check at ${count(n)}`) : []),
    c.checks.length > 1
      ? `bytes per added check (${count(c.checks[0] ?? 0)} → ${count(c.checks[last] ?? 0)})`
      : 'bytes per added check',
  ];
  const cells = rows.map((r) => [
    r.name,
    ...(options.roots ? [count(r.roots?.[last] ?? 0)] : []),
    ...r.bytes.map(mib),
    ...(options.perCheck ? r.bytes.map((b, i) => perCheck(b / (c.checks[i] ?? 1))) : []),
    perCheck(r.perAddedCheck),
  ]);
  return table(header, cells);
}

/** Facts of each run: the process, the snapshot, the analysis. */
function runLines(runs: readonly HeapRun[]): string[] {
  return runs.map((r) => {
    const s = r.snapshot;
    const a = r.attribution;
    return (
      `- ${count(s.checks)} checks every ${s.intervalSeconds} s: warm-up ${s.warmupSeconds.toFixed(0)} s ` +
      `(${count(s.checksRun)} checks run, ${count(s.runs.success)} successful and ${count(s.runs.failure)} failed runs), ` +
      `RSS ${mib(s.rssBytes)} MiB (peak ${mib(s.peakRssBytes)} MiB), heapUsed ${mib(s.heapUsedBytes)} MiB; ` +
      `snapshot ${mib(s.fileBytes)} MiB written in ${s.snapshotSeconds.toFixed(1)} s, ` +
      `${count(a.nodes)} objects and ${count(a.edges)} references, read in ${r.readSeconds.toFixed(1)} s, analysed in ${r.analyseSeconds.toFixed(1)} s`
    );
  });
}

/** The whole report. */
export function markdownReport(c: Comparison, runs: readonly HeapRun[], analysisPeakRssBytes: number): string {
  return [
    '### Where the heap goes, by owner',
    '',
    'Each byte counted once, at the nearest owner root above it in the dominator tree (owners.ts).',
    '',
    byRun('owner', c, c.owners, { roots: true, perCheck: true }),
    '',
    byRun('totals', c, c.totals, { perCheck: true }),
    '',
    "### Retained by each owner's roots together (overlapping: nested owners included)",
    '',
    byRun('owner', c, c.retained),
    '',
    '### Not attributed, by kind (self size)',
    '',
    byRun('kind', c, c.unattributed.slice(0, 20)),
    '',
    ...runLines(runs),
    `- analysis peak RSS (this process, reading and analysing): ${mib(analysisPeakRssBytes)} MiB`,
  ].join('\n');
}
