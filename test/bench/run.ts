/**
 * `npm run bench`: HTTP probes per CPU-second of the canary agent, side by side in one run
 * with prometheus-blackbox-exporter and raw undici, all probing the same loopback target
 * at the same rate with a new connection per probe; then the agent with a larger set of
 * checks (memory, scrapes, scheduler lag), and what each prober adds to `processing`
 * (timing), and the status page's first paint at many checks (page). Prints Markdown tables, the figures of the issue against their targets, and
 * writes `.bench/results.json`.
 *
 * Usage: npm run bench -- [--window S] [--warmup S] [--settle S] [--repeat N] [--checks N] [--rate R]
 *        [--big-checks N] [--big-level full|basic] [--only agent,traced,blackbox,undici,big,timing]
 *        [--timing-window S] [--timing-others N] [--timing-sequential|--timing-together]
 *        [--profile] [--quick] [--out FILE]      (--help for all)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { benchAgent } from './agent-run.js';
import { HELP, parseOptions, type Options } from './options.js';
import { benchBlackbox, findBlackbox } from './blackbox-run.js';
import { atExit, stop } from './children.js';
import { startTarget } from './ipc.js';
import { startOtlpSink, type OtlpSink } from './otlp-sink.js';
import { printResults, scrapeWindowWarning } from './output.js';
import { benchPage } from './page-run.js';
import type { PhaseOptions, PhaseResult } from './phase.js';
import { findPython } from './timing/floor-side.js';
import { runTimingPhase } from './timing-phase.js';
import { benchRawUndici } from './undici-run.js';

/** Runs one prober. */
async function phase(
  name: string,
  shared: PhaseOptions,
  options: Options,
  blackbox: string | undefined,
  sink: OtlpSink,
): Promise<PhaseResult | undefined> {
  if (name === 'agent' || name === 'traced') {
    const traced = name === 'traced' ? { otlpEndpoint: sink.url } : {};
    return benchAgent({
      ...shared,
      name: name === 'agent' ? 'agent' : 'agent-traced',
      intervalSeconds: options.checks / options.rate,
      scrapeIntervalMs: options.scrapeIntervalS * 1000,
      ...traced,
    });
  }
  if (name === 'blackbox') return blackbox ? benchBlackbox(blackbox, shared) : undefined;
  return benchRawUndici(shared);
}

function describe(result: PhaseResult): string {
  const w = result.window;
  return (
    `  ${result.name}: ${w.probesPerSecond.toFixed(0)} probes/s (prober's own count ${w.proberProbesPerSecond.toFixed(0)}/s), ` +
    `${w.cpuCores.toFixed(3)} cores, ${w.probesPerCpuSecond.toFixed(0)} probes per CPU-s, success ${(w.successRatio * 100).toFixed(2)}%, ` +
    `RSS ${(w.rssMax / 2 ** 20).toFixed(1)} MiB (peak ${(w.rssPeak / 2 ** 20).toFixed(1)}), other load ${w.otherCpuCores.toFixed(2)} cores`
  );
}

/**
 * The big run: many more checks at a longer interval, so the probe rate stays the same;
 * the metrics level asked for; every in-window scrape timed with the loop-block probe.
 */
async function bigRun(shared: PhaseOptions, options: Options): Promise<PhaseResult> {
  const intervalSeconds = options.bigChecks / options.rate;
  // Every check must have run once (its series exist) before the window: the first runs spread over one interval.
  const warmupMs = Math.max(shared.warmupMs, (intervalSeconds + 2) * 1000);
  return benchAgent({
    ...shared,
    checks: options.bigChecks,
    warmupMs,
    name: `agent-${options.bigChecks}`,
    intervalSeconds,
    scrapeIntervalMs: options.scrapeIntervalS * 1000,
    metricsLevel: options.bigLevel,
    blockProbe: true,
  });
}

/** Every round: the probers in rotated order, then the big run. */
async function rounds(
  shared: PhaseOptions,
  options: Options,
  blackbox: string | undefined,
  sink: OtlpSink,
): Promise<{ measured: PhaseResult[][]; big: PhaseResult[] }> {
  const order = ['agent', 'traced', 'blackbox', 'undici'].filter((n) => options.only.has(n));
  const measured: PhaseResult[][] = [];
  const big: PhaseResult[] = [];
  for (let i = 0; i < options.repeat; i++) {
    // Rotate the order so a slow drift of background load does not always favour one prober.
    const names = [...order.slice(i % order.length), ...order.slice(0, i % order.length)];
    const round: PhaseResult[] = [];
    for (const name of names) {
      console.error(
        `round ${i + 1}/${options.repeat}: ${name} (warm-up ${options.warmupS}s, window ${options.windowS}s)`,
      );
      const result = await phase(name, shared, options, blackbox, sink);
      if (result) {
        console.error(describe(result));
        round.push(result);
      } else console.error('  skipped');
    }
    measured.push(round);
    if (options.only.has('big') && options.bigChecks > 0) {
      console.error(
        `round ${i + 1}/${options.repeat}: big run, ${options.bigChecks} checks at ${options.rate}/s, ${options.bigLevel} metrics`,
      );
      const result = await bigRun(shared, options);
      console.error(describe(result));
      big.push(result);
    }
  }
  return { measured, big };
}

/** The external programs the phases asked for need; says which are missing. */
function findPrograms(options: Options): { blackbox: string | undefined; python: string | undefined } {
  const wantsBlackbox = options.only.has('blackbox') || options.only.has('timing');
  const blackbox = wantsBlackbox ? findBlackbox() : undefined;
  if (wantsBlackbox && !blackbox) {
    console.error(
      'SKIP blackbox_exporter: prometheus-blackbox-exporter not found on PATH (apt-get install prometheus-blackbox-exporter, or set BENCH_BLACKBOX); the other probers still run',
    );
  }
  const python = options.only.has('timing') ? findPython() : undefined;
  if (options.only.has('timing') && !python) console.error('SKIP floor: python3 not found');
  return { blackbox, python };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!options) return console.log(HELP);
  const { blackbox, python } = findPrograms(options);
  const warning = scrapeWindowWarning(options);
  if (warning) console.error(`note: ${warning}`);
  const stamp = new Date().toISOString();
  const profileDir = options.profile ? join(dirname(options.out), `profile-${stamp.replace(/[:.]/g, '-')}`) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const workDir = mkdtempSync(join(tmpdir(), 'canary-bench-'));
  atExit(() => rmSync(workDir, { recursive: true, force: true }));
  const target = await startTarget(options.targetKeepAliveS * 1000);
  const sink = await startOtlpSink();
  try {
    const shared: PhaseOptions = {
      target,
      checks: options.checks,
      rate: options.rate,
      warmupMs: options.warmupS * 1000,
      settleMs: options.settleS * 1000,
      windowMs: options.windowS * 1000,
      workDir,
      ...(profileDir ? { profileDir } : {}),
    };
    const { measured, big } = await rounds(shared, options, blackbox, sink);
    const timing = options.only.has('timing') ? await runTimingPhase(options, blackbox, python, target) : undefined;
    const page = options.only.has('page')
      ? await benchPage(target, options.pageChecks, options.repeat, workDir)
      : undefined;
    const results = printResults({ options, stamp, blackbox, measured, big, timing, page });
    mkdirSync(dirname(options.out), { recursive: true });
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
