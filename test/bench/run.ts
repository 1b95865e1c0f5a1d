/**
 * `npm run bench`: HTTP probes per CPU-second of the canary agent, side by side in one run
 * with prometheus-blackbox-exporter and raw undici, all probing the same loopback target
 * at the same rate with a new connection per probe; then the agent's memory with a larger
 * set of checks. Prints a Markdown table and writes `.bench/results.json`.
 *
 * Usage: npm run bench -- [--window S] [--warmup S] [--settle S] [--repeat N] [--checks N] [--rate R]
 *        [--big-checks N] [--only agent,traced,blackbox,undici,big] [--profile] [--quick] [--out FILE]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { benchAgent } from './agent-run.js';
import { HELP, parseOptions, type Options } from './options.js';
import { benchBlackbox, blackboxVersion, findBlackbox } from './blackbox-run.js';
import { atExit, stop } from './children.js';
import { startTarget } from './ipc.js';
import { startOtlpSink, type OtlpSink } from './otlp-sink.js';
import type { PhaseOptions, PhaseResult } from './phase.js';
import { machineInfo } from './proc.js';
import { formatSummary } from './profile.js';
import { resultTable, summaryLines } from './report.js';
import { benchRawUndici } from './undici-run.js';

/** Runs one prober. */
async function phase(name: string, shared: PhaseOptions, options: Options, blackbox: string | undefined, sink: OtlpSink): Promise<PhaseResult | undefined> {
  if (name === 'agent' || name === 'traced') {
    const traced = name === 'traced' ? { otlpEndpoint: sink.url } : {};
    return benchAgent({ ...shared, name: name === 'agent' ? 'agent' : 'agent-traced', intervalSeconds: options.checks / options.rate, scrapeIntervalMs: options.scrapeIntervalS * 1000, ...traced });
  }
  if (name === 'blackbox') return blackbox ? benchBlackbox(blackbox, shared) : undefined;
  return benchRawUndici(shared);
}

function describe(result: PhaseResult): string {
  const w = result.window;
  return (
    `  ${result.name}: ${w.probesPerSecond.toFixed(0)} probes/s (prober's own count ${w.proberProbesPerSecond.toFixed(0)}/s), ` +
    `${w.cpuCores.toFixed(3)} cores, ${w.probesPerCpuSecond.toFixed(0)} probes per CPU-s, success ${(w.successRatio * 100).toFixed(2)}%, ` +
    `RSS ${(w.rssMax / 2 ** 20).toFixed(1)} MiB, other load ${w.otherCpuCores.toFixed(2)} cores`
  );
}

/** The memory run: many more checks at a longer interval, so the probe rate stays the same. */
async function bigRun(shared: PhaseOptions, options: Options): Promise<PhaseResult> {
  const intervalSeconds = options.bigChecks / options.rate;
  // Every check must have run once (its series exist) before the window: the first runs spread over one interval.
  const warmupMs = Math.max(shared.warmupMs, (intervalSeconds + 2) * 1000);
  return benchAgent({ ...shared, checks: options.bigChecks, warmupMs, name: `agent-${options.bigChecks}`, intervalSeconds, scrapeIntervalMs: options.scrapeIntervalS * 1000 });
}

async function rounds(shared: PhaseOptions, options: Options, blackbox: string | undefined, sink: OtlpSink): Promise<PhaseResult[][]> {
  const order = ['agent', 'traced', 'blackbox', 'undici'].filter((n) => options.only.has(n));
  const out: PhaseResult[][] = [];
  for (let i = 0; i < options.repeat; i++) {
    // Rotate the order so a slow drift of background load does not always favour one prober.
    const names = [...order.slice(i % order.length), ...order.slice(0, i % order.length)];
    const round: PhaseResult[] = [];
    for (const name of names) {
      console.error(`round ${i + 1}/${options.repeat}: ${name} (warm-up ${options.warmupS}s, window ${options.windowS}s)`);
      const result = await phase(name, shared, options, blackbox, sink);
      if (result) {
        console.error(describe(result));
        round.push(result);
      } else console.error('  skipped');
    }
    out.push(round);
  }
  return out;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!options) return console.log(HELP);
  const blackbox = options.only.has('blackbox') ? findBlackbox() : undefined;
  if (options.only.has('blackbox') && !blackbox) {
    console.error('SKIP blackbox_exporter: prometheus-blackbox-exporter not found on PATH (apt-get install prometheus-blackbox-exporter, or set BENCH_BLACKBOX); the other probers still run');
  }
  const stamp = new Date().toISOString();
  const profileDir = options.profile ? join(dirname(options.out), `profile-${stamp.replace(/[:.]/g, '-')}`) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const workDir = mkdtempSync(join(tmpdir(), 'canary-bench-'));
  atExit(() => rmSync(workDir, { recursive: true, force: true }));
  const target = await startTarget(options.targetKeepAliveS * 1000);
  const sink = await startOtlpSink();
  try {
    const shared: PhaseOptions = { target, checks: options.checks, rate: options.rate, warmupMs: options.warmupS * 1000, settleMs: options.settleS * 1000, windowMs: options.windowS * 1000, workDir, ...(profileDir ? { profileDir } : {}) };
    const measured = await rounds(shared, options, blackbox, sink);
    const extra: PhaseResult[] = [];
    if (options.only.has('big') && options.bigChecks > 0) {
      console.error(`memory run: ${options.bigChecks} checks at ${options.rate}/s`);
      extra.push(await bigRun(shared, options));
      console.error(describe(extra[0] as PhaseResult));
    }
    const machine = { ...machineInfo(), blackboxExporter: blackbox ? blackboxVersion(blackbox) : null, date: stamp };
    const table = resultTable([...measured.flat(), ...extra]);
    const summary = summaryLines(measured, extra);
    console.log(`\n${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, blackbox_exporter ${machine.blackboxExporter ?? 'absent'}, ${stamp}`);
    console.log(`window ${options.windowS}s after ${options.warmupS}s warm-up; ${options.checks} checks / paths at ${options.rate} probes/s; target keep-alive ${options.targetKeepAliveS}s; agent /metrics scraped every ${options.scrapeIntervalS}s in its window${options.profile ? '; PROFILED (numbers include profiler overhead)' : ''}\n`);
    console.log(table);
    console.log(`\n${summary.join('\n')}`);
    for (const { name, profile } of [...measured.flat(), ...extra]) {
      if (profile) console.log(`\nCPU profile of ${name} over its window: ${profile.file}\n${formatSummary(profile.window)}`);
    }
    mkdirSync(dirname(options.out), { recursive: true });
    const results = { machine, options: { ...options, only: [...options.only] }, rounds: measured, extra, summary };
    writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nresults: ${options.out}`);
  } finally {
    await stop(target.process, 2_000);
    await sink.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error('bench failed:', error);
  process.exit(1);
});
