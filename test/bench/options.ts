/** The command line of `npm run bench`. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot, type MetricsLevel } from './agent-run.js';

/** Every phase, in the order they run; the default of `--only`. */
export const PHASES = ['agent', 'traced', 'blackbox', 'undici', 'big', 'timing', 'page'] as const;

export const HELP = `Usage: npm run bench -- [options]

  --window S       measurement window per prober, seconds (env BENCH_WINDOW; default 30)
  --warmup S       warm-up before each window, seconds (env BENCH_WARMUP; default 10)
  --settle S       pause between the prober's first counter read (a /metrics scrape) and the
                   window, so the scrape stays outside it (default 3)
  --scrape-interval S
                   scrape the agent's /metrics this often inside its window, as Prometheus
                   would, and charge it to the agent (default 15; 0 never)
  --repeat N       rounds (default 1): of every prober, of the big run, and of the timing
                   scenarios; each figure of the summary is the median over them, min-max shown
  --checks N       agent checks, and distinct target paths (default 1000)
  --rate R         probes per second for every prober (default 1000; agent interval = checks/rate)
  --page-checks N  checks of the agent whose status page is loaded (page phase; default 10000)
  --big-checks N   agent checks of the big run (memory, scrapes, lag), at the same rate
                   (default 10000; 0 skips it). Each of its in-window scrapes records wall
                   time, compressed bytes and the agent's CPU, and times GET /healthz every
                   ~2 ms over one kept-alive connection meanwhile (at most 2,000 requests):
                   the longest answer is the longest event-loop block
  --big-level L    full|basic: exporters.prometheus.metrics of the big run (default full)
  --target-keep-alive S
                   keep-alive timeout the target advertises, seconds (default 5, Node's default)
  --only LIST      phases to run: ${PHASES.join(',')}
                   (default all); traced is the agent with tracing on, exporting every run to
                   a loopback OTLP sink; big runs once a round after the others; timing is the
                   processing-phase benchmark (quiet and loaded), after all rounds, with
                   --repeat rounds of its own; page loads the status page of an agent with
                   --page-checks checks, one cold load in a fresh Chromium per round
  --timing-window S
                   window of each timing scenario, seconds (default 30; --quick 5); its
                   warm-up is --warmup
  --timing-others N
                   background checks (agent) and probes/s (blackbox_exporter) of the loaded
                   timing scenario (default 1000)
  --timing-sequential
                   loaded timing scenario: the two probers one after the other (the default:
                   both at 1,000 probes/s together saturate a 2-core machine); quiet always
                   runs them together
  --timing-together
                   loaded timing scenario: both probers in the same window
  --profile        write a V8 CPU profile of each agent and raw undici run under .bench/ and
                   summarise it over the window
                   (the profiler costs CPU: numbers of a profiled run are not comparable)
  --quick          window 5 s, warm-up 3 s, timing window 5 s
  --out FILE       results JSON (default .bench/results.json)

After the tables it prints "Figures of the issue": each figure (the median over rounds,
min-max), its target and whether it is met; all of it also goes into the results JSON.

Env BENCH_BLACKBOX=PATH picks the exporter binary (default prometheus-blackbox-exporter on PATH);
BENCH_AGENT=PATH the agent's CLI entry (default dist/src/cli/main.js), run as \`node PATH run --config FILE\`;
BENCH_NODE_FLAGS="..." the agent's node flags (default the shipped ones, src/cli/node-flags.ts; empty for none);
BENCH_AGENT_ENV="NAME=VALUE ..." what is added to the agent's environment (default the shipped
MALLOC_ARENA_MAX=2; empty for nothing);
BENCH_AGENT_WORKERS=N|auto the agent's probes.workers (default: the agent's own default);
BENCH_RENDER_THREAD=true|false the agent's exporters.prometheus.renderThread (default: the
agent's own default);
BENCH_PYTHON=PATH the python3 of the timing floor (default python3 on PATH; without it the
floor is skipped).

The heap breakdown by owner is a separate command: npm run bench:heap -- --help`;

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
  /** Checks of the agent whose status page the page phase loads. */
  pageChecks: number;
  bigLevel: MetricsLevel;
  only: Set<string>;
  timingWindowS: number;
  timingOthers: number;
  /** Loaded timing scenario: probers one after the other. */
  timingSequential: boolean;
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
      'page-checks': { type: 'string' },
      'big-level': { type: 'string' },
      only: { type: 'string' },
      'timing-window': { type: 'string' },
      'timing-others': { type: 'string' },
      'timing-sequential': { type: 'boolean' },
      'timing-together': { type: 'boolean' },
      'target-keep-alive': { type: 'string' },
      profile: { type: 'boolean' },
      quick: { type: 'boolean' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return undefined;
  const quick = values.quick === true;
  const only = new Set((values.only ?? PHASES.join(',')).split(',').map((s) => s.trim()));
  for (const name of only)
    if (!(PHASES as readonly string[]).includes(name)) throw new Error(`--only: unknown phase ${name}`);
  const bigLevel = values['big-level'] ?? 'full';
  if (bigLevel !== 'full' && bigLevel !== 'basic')
    throw new Error(`--big-level must be full or basic, got ${bigLevel}`);
  if (values['timing-sequential'] && values['timing-together'])
    throw new Error('--timing-sequential and --timing-together contradict each other');
  return {
    windowS: positive('window', values.window ?? (process.env.BENCH_WINDOW || undefined), quick ? 5 : 30),
    warmupS: positive('warmup', values.warmup ?? (process.env.BENCH_WARMUP || undefined), quick ? 3 : 10, 0),
    settleS: positive('settle', values.settle, quick ? 2 : 3, 0),
    scrapeIntervalS: positive('scrape-interval', values['scrape-interval'], 15, 0),
    repeat: Math.floor(positive('repeat', values.repeat, 1)),
    checks: Math.floor(positive('checks', values.checks, 1000)),
    rate: positive('rate', values.rate, 1000),
    bigChecks: Math.floor(positive('big-checks', values['big-checks'], 10_000, 0)),
    pageChecks: Math.floor(positive('page-checks', values['page-checks'], 10_000)),
    bigLevel,
    only,
    timingWindowS: positive('timing-window', values['timing-window'], quick ? 5 : 30),
    timingOthers: Math.floor(positive('timing-others', values['timing-others'], 1_000, 0)),
    timingSequential: values['timing-together'] !== true,
    targetKeepAliveS: positive('target-keep-alive', values['target-keep-alive'], 5, 0),
    profile: values.profile === true,
    out: resolve(repoRoot, values.out ?? '.bench/results.json'),
  };
}
