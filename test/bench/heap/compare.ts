/**
 * Bytes per check between two snapshots of the agent at different check counts. The
 * marginal figure, (bytes at N2 - bytes at N1) / (N2 - N1), is the fair one: what each
 * added check costs, without the fixed cost of the process (code, Node's own objects)
 * spread over the checks.
 */
import type { AgentSnapshot } from './agent-snapshot.js';
import type { Attribution } from './attribute.js';

/** One agent snapshot and its analysis. */
export interface HeapRun {
  snapshot: AgentSnapshot;
  attribution: Attribution;
  /** Seconds to read the file, and to compute dominators and attribute. */
  readSeconds: number;
  analyseSeconds: number;
}

/** A figure at each run and per added check between the first and the last. */
export interface Row {
  name: string;
  /** By run, in the order of the runs. */
  bytes: number[];
  /** Root objects by run (owners only). */
  roots?: number[];
  perAddedCheck: number;
}

/** Every figure of the report, by run. */
export interface Comparison {
  checks: number[];
  /** Partition of the heap: each byte counted once. */
  owners: Row[];
  /** The retained size of each owner's roots together (overlapping). */
  retained: Row[];
  /** What no owner claims, by kind (the kinds largest in the last run, and any large in another). */
  unattributed: Row[];
  /** Heap total, attributed, unattributed, heapUsed, RSS. */
  totals: Row[];
}

function row(name: string, checks: readonly number[], bytes: number[], roots?: number[]): Row {
  const first = 0;
  const last = checks.length - 1;
  const added = (checks[last] ?? 0) - (checks[first] ?? 0);
  const perAddedCheck = added > 0 ? ((bytes[last] ?? 0) - (bytes[first] ?? 0)) / added : NaN;
  return { name, bytes, ...(roots ? { roots } : {}), perAddedCheck };
}

function unattributedRows(runs: readonly HeapRun[], checks: readonly number[]): Row[] {
  const kinds = [...new Set(runs.flatMap((r) => r.attribution.unattributed.map((k) => k.kind)))];
  const rows = kinds.map((kind) =>
    // NaN where a kind is not among a run's largest: unknown, not zero.
    row(
      kind,
      checks,
      runs.map((r) => r.attribution.unattributed.find((k) => k.kind === kind)?.bytes ?? NaN),
    ),
  );
  // Sorted by the largest run: what a big deployment holds, not the process's fixed cost.
  const largest = (r: Row) => r.bytes.at(-1) || 0; // NaN and undefined sort last
  return rows.sort((a, b) => largest(b) - largest(a));
}

/** Lines up the runs (sorted by check count) owner by owner. */
export function compare(unsorted: readonly HeapRun[]): Comparison {
  const runs = [...unsorted].sort((a, b) => a.snapshot.checks - b.snapshot.checks);
  const checks = runs.map((r) => r.snapshot.checks);
  const names = runs[0]?.attribution.owners.map((o) => o.owner) ?? [];
  const owner = (name: string, run: HeapRun) => run.attribution.owners.find((o) => o.owner === name);
  const rootCount = (name: string, run: HeapRun) => owner(name, run)?.rootObjects ?? 0;
  const attributed = (run: HeapRun) => run.attribution.owners.reduce((total, o) => total + o.bytes, 0);
  return {
    checks,
    owners: names.map((name) =>
      row(
        name,
        checks,
        runs.map((r) => owner(name, r)?.bytes ?? 0),
        runs.map((r) => rootCount(name, r)),
      ),
    ),
    retained: names.map((name) =>
      row(
        name,
        checks,
        runs.map((r) => owner(name, r)?.retainedBytes ?? 0),
      ),
    ),
    unattributed: unattributedRows(runs, checks),
    totals: [
      row(
        'heap snapshot, all objects',
        checks,
        runs.map((r) => r.attribution.heapBytes),
      ),
      row('attributed to owners', checks, runs.map(attributed)),
      row(
        'not attributed',
        checks,
        runs.map((r) => r.attribution.unattributedBytes),
      ),
      row(
        'held only through weak edges',
        checks,
        runs.map((r) => r.attribution.unreachableBytes),
      ),
      row(
        'heapUsed (after the snapshot GC)',
        checks,
        runs.map((r) => r.snapshot.heapUsedBytes),
      ),
      row(
        'RSS before the snapshot',
        checks,
        runs.map((r) => r.snapshot.rssBytes),
      ),
      row(
        'RSS peak before the snapshot (VmHWM)',
        checks,
        runs.map((r) => r.snapshot.peakRssBytes),
      ),
    ],
  };
}
