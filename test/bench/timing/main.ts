/**
 * `npm run bench:timing`: what the canary agent and blackbox_exporter each add to the
 * `processing` phase of an HTTP probe, measured side by side with a blocking-socket
 * client as the machine's floor (see bench.ts). Prints
 * Markdown tables and writes `.bench/timing.json`.
 *
 * Usage: npm run build && node dist/test/bench/timing/main.js [--help] [--window S] [--warmup S]
 *        [--others N] [--hold-ms MS] [--scenarios quiet,loaded] [--timing-sequential] [--repeat N] [--out FILE]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { findBlackbox } from '../blackbox-run.js';
import { benchTiming, type TimingResult } from './bench.js';
import { findPython } from './floor-side.js';
import { parseTimingOptions, TIMING_HELP } from './options.js';
import { medianTable, windowTable } from './report.js';

function print(result: TimingResult): void {
  const { machine, options } = result;
  console.log(
    `\n${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, blackbox_exporter ${machine.blackboxExporter ?? 'absent'}, ${machine.date}`,
  );
  console.log(
    `window ${options.windowS}s after ${options.warmupS}s warm-up; ${options.timed} measured probes/s per prober held ${options.holdMs} ms; ` +
      `loaded: + ${options.others} others/s per prober${options.sequential ? ', probers one after the other' : ', probers together'}; ` +
      'figures in ms; added = processing - hold; CPU in cores over the window\n',
  );
  console.log(windowTable(result.windows));
  if (options.repeat > 1) console.log(`\nMedian of ${options.repeat} rounds:\n\n${medianTable(result.medians)}`);
}

async function main(): Promise<void> {
  const cli = parseTimingOptions(process.argv.slice(2));
  if (!cli) return console.log(TIMING_HELP);
  const blackbox = findBlackbox();
  if (!blackbox)
    console.error(
      'SKIP blackbox_exporter: prometheus-blackbox-exporter not found on PATH (or BENCH_BLACKBOX); the agent runs alone',
    );
  const python = findPython();
  if (!python) console.error('SKIP floor: python3 not found');
  const result = await benchTiming({ ...cli.options, blackbox, python });
  print(result);
  mkdirSync(dirname(cli.out), { recursive: true });
  writeFileSync(cli.out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nresults: ${cli.out}`);
}

main().catch((error: unknown) => {
  console.error('bench:timing failed:', error);
  process.exit(1);
});
