/** The command line of `npm run bench`. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from './agent-run.js';

export const HELP = `Usage: npm run bench -- [options]

  --window S       measurement window per prober, seconds (env BENCH_WINDOW; default 30)
  --warmup S       warm-up before each window, seconds (env BENCH_WARMUP; default 10)
  --settle S       pause between the prober's first counter read (a /metrics scrape) and the
                   window, so the scrape stays outside it (default 3)
  --scrape-interval S
                   scrape the agent's /metrics this often inside its window, as Prometheus
                   would, and charge it to the agent (default 15; 0 never)
  --repeat N       rounds of agent, blackbox_exporter and raw undici (default 1)
  --checks N       agent checks, and distinct target paths (default 1000)
  --rate R         probes per second for every prober (default 1000; agent interval = checks/rate)
  --big-checks N   agent checks of the memory run, at the same rate (default 10000; 0 skips it)
  --target-keep-alive S
                   keep-alive timeout the target advertises, seconds (default 5, Node's default)
  --only LIST      phases to run: agent,traced,blackbox,undici,big (default all); traced is the
                   agent with tracing on, exporting every run to a loopback OTLP sink
  --profile        write a V8 CPU profile of each agent and raw undici run under .bench/ and
                   summarise it over the window
                   (the profiler costs CPU: numbers of a profiled run are not comparable)
  --quick          window 5 s, warm-up 3 s
  --out FILE       results JSON (default .bench/results.json)

Env BENCH_BLACKBOX=PATH picks the exporter binary (default prometheus-blackbox-exporter on PATH);
BENCH_AGENT=PATH the agent's CLI entry (default dist/src/cli/main.js), run as \`node PATH run --config FILE\`.`;

/** Parsed command line. */
export interface Options {
  windowS: number;
  warmupS: number;
  settleS: number;
  scrapeIntervalS: number;
  repeat: number;
  checks: number;
  rate: number;
  bigChecks: number;
  only: Set<string>;
  targetKeepAliveS: number;
  profile: boolean;
  out: string;
}

function positive(name: string, text: string | undefined, fallback: number, min = 1): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be a number >= ${min}, got ${text}`);
  return value;
}

/** Parses argv; undefined means help was asked for. Throws on a bad value. */
export function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      window: { type: 'string' },
      warmup: { type: 'string' },
      settle: { type: 'string' },
      'scrape-interval': { type: 'string' },
      repeat: { type: 'string' },
      checks: { type: 'string' },
      rate: { type: 'string' },
      'big-checks': { type: 'string' },
      only: { type: 'string' },
      'target-keep-alive': { type: 'string' },
      profile: { type: 'boolean' },
      quick: { type: 'boolean' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return undefined;
  const quick = values.quick === true;
  const only = new Set((values.only ?? 'agent,traced,blackbox,undici,big').split(',').map((s) => s.trim()));
  for (const name of only) if (!['agent', 'traced', 'blackbox', 'undici', 'big'].includes(name)) throw new Error(`--only: unknown phase ${name}`);
  return {
    windowS: positive('window', values.window ?? (process.env.BENCH_WINDOW || undefined), quick ? 5 : 30),
    warmupS: positive('warmup', values.warmup ?? (process.env.BENCH_WARMUP || undefined), quick ? 3 : 10, 0),
    settleS: positive('settle', values.settle, quick ? 2 : 3, 0),
    scrapeIntervalS: positive('scrape-interval', values['scrape-interval'], 15, 0),
    repeat: Math.floor(positive('repeat', values.repeat, 1)),
    checks: Math.floor(positive('checks', values.checks, 1000)),
    rate: positive('rate', values.rate, 1000),
    bigChecks: Math.floor(positive('big-checks', values['big-checks'], 10_000, 0)),
    only,
    targetKeepAliveS: positive('target-keep-alive', values['target-keep-alive'], 5, 0),
    profile: values.profile === true,
    out: resolve(repoRoot, values.out ?? '.bench/results.json'),
  };
}
