/** The command line of the standalone timing benchmark (`main.ts`). */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../agent-run.js';
import { TIMING_DEFAULTS, type TimingOptions } from './bench.js';
import type { Scenario } from './window.js';

export const TIMING_HELP = `Usage: npm run bench:timing -- [options]

What each prober adds to the processing phase of an HTTP probe: the canary agent and
blackbox_exporter probe one holding target (each request held ~hold-ms, the hold reported
in Server-Timing) at the same time; per probe, processing - hold. A blocking-socket client
(test/bench/timing/floor.py, run with python3) measures the same in every window as the
machine's floor; without python3 it is skipped.

  --window S        measurement window, seconds (default ${TIMING_DEFAULTS.windowS})
  --warmup S        warm-up before each window, seconds (default ${TIMING_DEFAULTS.warmupS})
  --others N        background probes per second per prober in the loaded scenario, against
                    a separate fast target (default ${TIMING_DEFAULTS.others})
  --timed N         measured probes per second per prober, one holding path each (default ${TIMING_DEFAULTS.timed})
  --hold-ms MS      how long the target holds each measured request (default ${TIMING_DEFAULTS.holdMs})
  --scenarios LIST  quiet,loaded (default both): quiet is the measured probes alone
  --timing-sequential
                    in the loaded scenario, run the two probers one after the other
                    instead of together (the machine has few cores)
  --repeat N        rounds (default ${TIMING_DEFAULTS.repeat}); the median of rounds is printed per figure
  --out FILE        results JSON (default .bench/timing.json)

Env BENCH_BLACKBOX=PATH picks the exporter binary (default prometheus-blackbox-exporter on PATH);
without one, the agent is measured alone. BENCH_PYTHON=PATH picks the python3 of the floor.
BENCH_AGENT_WORKERS=N|auto sets the agent's probes.workers (default: the agent's own default).`;

/** Parsed command line: the benchmark's options (blackbox found later) and where to write. */
export interface TimingCli {
  options: Omit<TimingOptions, 'blackbox' | 'python' | 'log' | 'fastTarget'>;
  out: string;
}

function number(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be a number >= ${min}, got ${text}`);
  return value;
}

function scenarios(text: string | undefined): Scenario[] {
  if (text === undefined) return [...TIMING_DEFAULTS.scenarios];
  const list = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of list)
    if (name !== 'quiet' && name !== 'loaded') throw new Error(`--scenarios: unknown scenario ${name}`);
  if (list.length === 0) throw new Error('--scenarios: none given');
  return [...new Set(list)] as Scenario[];
}

/** Parses argv; undefined means help was asked for. Throws on a bad value. */
export function parseTimingOptions(argv: string[]): TimingCli | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      window: { type: 'string' },
      warmup: { type: 'string' },
      others: { type: 'string' },
      timed: { type: 'string' },
      'hold-ms': { type: 'string' },
      scenarios: { type: 'string' },
      'timing-sequential': { type: 'boolean' },
      repeat: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return undefined;
  const d = TIMING_DEFAULTS;
  return {
    options: {
      windowS: number('window', values.window, d.windowS, 1),
      warmupS: number('warmup', values.warmup, d.warmupS, 0),
      others: Math.floor(number('others', values.others, d.others, 0)),
      timed: Math.floor(number('timed', values.timed, d.timed, 1)),
      holdMs: number('hold-ms', values['hold-ms'], d.holdMs, 0),
      scenarios: scenarios(values.scenarios),
      repeat: Math.floor(number('repeat', values.repeat, d.repeat, 1)),
      sequential: values['timing-sequential'] === true,
    },
    out: resolve(repoRoot, values.out ?? '.bench/timing.json'),
  };
}
