/** The command line of `npm run bench:heap`. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../agent-run.js';

export const HEAP_HELP = `Usage: npm run bench:heap -- [options]
       (the same as: npm run build && node dist/test/bench/heap/main.js [options])

Where the agent's memory goes, by owner, in bytes per check. For each check count it runs
\`canary run\` on the benchmark's generated config (N HTTP checks against the loopback bench
target, interval N / rate so the probe rate stays the same), warms it up until every check
has run and /metrics has been scraped twice with Prometheus's headers, takes a V8 heap
snapshot of it (V8 collects garbage first), and splits the snapshot between the owners
listed in test/bench/heap/owners.ts through the dominator tree. Prints Markdown tables
and writes the figures as JSON.

  --checks LIST         check counts to snapshot, comma-separated (default 1000,10000)
  --rate R              probes per second; each run's interval is N / R seconds (default 1000)
  --warmup S            minimum warm-up, seconds; never less than one interval + 2 s (default 10)
  --keep-snapshots DIR  keep each .heapsnapshot (agent-N.heapsnapshot) and what was measured
                        with it (agent-N.json) in DIR; the 10,000-check file is about 300 MB
  --from DIR            analyse every snapshot kept in DIR by --keep-snapshots instead of
                        running the agent (to re-split them after editing owners.ts);
                        --checks, --rate and --warmup are then ignored
  --out FILE            results JSON (default .bench/heap.json)
  -h, --help            this text

A run of the defaults takes about 1.5 minutes on 2 cores. The 10,000-check agent peaks at
about 1.7 GB of RSS while it writes its snapshot (about 300 MB), and the analysis needs
about 0.55 GB. Env BENCH_AGENT=PATH runs another build of the agent (node PATH run
--config FILE), as for npm run bench.`;

/** Parsed command line. */
export interface HeapOptions {
  checks: number[];
  rate: number;
  warmupS: number;
  keepSnapshots?: string;
  from?: string;
  out: string;
}

function number(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be a number >= ${min}, got ${text}`);
  return value;
}

/** Parses argv; undefined means help was asked for. Throws on a bad value. */
export function parseHeapOptions(argv: string[]): HeapOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      checks: { type: 'string' },
      rate: { type: 'string' },
      warmup: { type: 'string' },
      'keep-snapshots': { type: 'string' },
      from: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return undefined;
  const checks = (values.checks ?? '1000,10000').split(',').map((s) => Math.floor(number('checks', s.trim(), 1)));
  if (new Set(checks).size !== checks.length) throw new Error(`--checks: a count is repeated in ${values.checks}`);
  return {
    checks: checks.sort((a, b) => a - b),
    rate: number('rate', values.rate ?? '1000', 1),
    warmupS: number('warmup', values.warmup ?? '10', 0),
    ...(values['keep-snapshots'] ? { keepSnapshots: resolve(values['keep-snapshots']) } : {}),
    ...(values.from ? { from: resolve(values.from) } : {}),
    out: resolve(repoRoot, values.out ?? '.bench/heap.json'),
  };
}
