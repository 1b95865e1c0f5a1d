/**
 * `npm run bench:heap`: where the agent's memory goes, by owner, in bytes per check, at
 * 1,000 and 10,000 checks. See HEAP_HELP in options.ts, and owners.ts for the owners.
 *
 * `benchHeap(options)` is the same run as a function, for the main benchmark to call.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { atExit, stop } from '../children.js';
import { startTarget, type Target } from '../ipc.js';
import { machineInfo, type MachineInfo } from '../proc.js';
import { snapshotAgent, type AgentSnapshot } from './agent-snapshot.js';
import { attribute } from './attribute.js';
import { compare, type Comparison, type HeapRun } from './compare.js';
import { keepSnapshot, keptSnapshots } from './kept.js';
import { HEAP_HELP, parseHeapOptions, type HeapOptions } from './options.js';
import { AGENT_OWNERS, type OwnerSpec } from './owners.js';
import { readHeapSnapshot } from './read-snapshot.js';
import { markdownReport } from './report.js';

/** Options of {@link benchHeap}: the command line's, and the owner table to use. */
export interface HeapBenchOptions extends Omit<HeapOptions, 'out'> {
  owners?: readonly OwnerSpec[];
  /** A bench target already running (the main benchmark's); by default one is started and stopped. */
  target?: Target;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

/** Everything one heap benchmark measured. */
export interface HeapBenchResult {
  machine: MachineInfo & { date: string };
  runs: HeapRun[];
  comparison: Comparison;
  /** Peak RSS of the benchmark process, which reads and analyses the snapshots. */
  analysisPeakRssBytes: number;
  /** The report as Markdown. */
  markdown: string;
}

/** Reads and splits one snapshot. */
export async function analyseSnapshot(snapshot: AgentSnapshot, owners: readonly OwnerSpec[]): Promise<HeapRun> {
  const started = performance.now();
  const graph = await readHeapSnapshot(snapshot.file);
  const read = performance.now();
  const attribution = attribute(graph, owners);
  return {
    snapshot,
    attribution,
    readSeconds: (read - started) / 1000,
    analyseSeconds: (performance.now() - read) / 1000,
  };
}

/** One check count: run the agent, snapshot it, stop it, then analyse (so the analysis never competes with it). */
async function measure(target: Target, checks: number, options: HeapBenchOptions, workDir: string): Promise<HeapRun> {
  const intervalSeconds = checks / options.rate;
  // Every check must have run (its series and window exist): first runs spread over one interval.
  const warmupMs = Math.max(options.warmupS, intervalSeconds + 2) * 1000;
  let snapshot = await snapshotAgent({ target, checks, intervalSeconds, warmupMs, workDir });
  if (options.keepSnapshots) snapshot = keepSnapshot(snapshot, options.keepSnapshots);
  try {
    return await analyseSnapshot(snapshot, options.owners ?? AGENT_OWNERS);
  } finally {
    if (!options.keepSnapshots) rmSync(snapshot.file, { force: true });
  }
}

async function runAgents(options: HeapBenchOptions, log: (line: string) => void): Promise<HeapRun[]> {
  const workDir = mkdtempSync(join(tmpdir(), 'canary-bench-heap-'));
  atExit(() => rmSync(workDir, { recursive: true, force: true }));
  const target = options.target ?? (await startTarget());
  try {
    const runs: HeapRun[] = [];
    for (const checks of options.checks) {
      log(`heap: ${checks} checks every ${checks / options.rate} s: warm-up, snapshot, analysis`);
      runs.push(await measure(target, checks, options, workDir));
    }
    return runs;
  } finally {
    if (!options.target) await stop(target.process, 2_000);
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Runs the heap benchmark (or re-analyses kept snapshots with `from`) and returns what it found. */
export async function benchHeap(options: HeapBenchOptions): Promise<HeapBenchResult> {
  const log = options.log ?? ((line: string) => console.error(line));
  const date = new Date().toISOString();
  let runs: HeapRun[];
  if (options.from) {
    runs = [];
    for (const snapshot of keptSnapshots(options.from)) {
      log(`heap: analysing ${snapshot.file}`);
      runs.push(await analyseSnapshot(snapshot, options.owners ?? AGENT_OWNERS));
    }
  } else runs = await runAgents(options, log);
  const comparison = compare(runs);
  const analysisPeakRssBytes = process.resourceUsage().maxRSS * 1024;
  return {
    machine: { ...machineInfo(), date },
    runs,
    comparison,
    analysisPeakRssBytes,
    markdown: markdownReport(comparison, runs, analysisPeakRssBytes),
  };
}

async function main(): Promise<void> {
  const options = parseHeapOptions(process.argv.slice(2));
  if (!options) return console.log(HEAP_HELP);
  const started = performance.now();
  const result = await benchHeap(options);
  const m = result.machine;
  console.log(`${m.cpuModel}, ${m.cores} cores, Node ${m.node}, ${m.date}; ${options.rate} probes/s\n`);
  console.log(result.markdown);
  mkdirSync(dirname(options.out), { recursive: true });
  const { markdown: _markdown, ...json } = result;
  writeFileSync(options.out, `${JSON.stringify({ options, ...json }, null, 2)}\n`);
  console.log(`\nresults: ${options.out} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error('bench:heap failed:', error);
    process.exit(1);
  });
}
