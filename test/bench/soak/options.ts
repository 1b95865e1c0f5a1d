/** The command line of `npm run soak`. */
import { parseArgs } from 'node:util';
import { parseDuration } from '../../../src/config/units.js';

export const SOAK_HELP = `Usage: npm run soak -- [options]
       (the same as: npm run build && node dist/test/bench/soak/main.js [options])

Runs \`canary run\` for a long stretch under a realistic, partly hostile load and fails when
its memory, file descriptors or sockets grow. Everything runs on 127.0.0.1:

  - N checks: most probe a healthy HTTP target, one in ten a hostile one (a server that
    never answers, one that drips a byte a second, an endless body, connection resets, a
    closed port, a self-signed certificate, a redirect loop); plus a check on the lab;
  - a probe file rewritten every minute (a label flips, a check comes and goes), which the
    agent's file watch reloads;
  - \`canary lab\` (a balancer and two backends), and every 3 minutes \`canary chaos run\` of
    an experiment that kills a lab backend and starts it again;
  - /metrics scraped as Prometheus does (OpenMetrics, gzip), and /proc/PID read, every 15 s
    (every duration/40 for runs shorter than 10 minutes).

It prints RSS, heap used, open descriptors and sockets over time, their least-squares slope
per hour after the warm-up (the first 20%, at least 2 minutes, at most half), and a verdict
per series (runs with under 5 minutes after the warm-up are not judged); the rules are in
docs/benchmarks.md. Exit 0: no growth; 1: growth, the agent or the lab exited, a scrape or a
reload failed, or the harness failed; 2: bad options.

  --duration D   how long: 30s, 10m, 1h ... (default 10m, at least 30s)
  --checks N     checks in the agent's config, all told (default 1000, at least 50)
  --json         print the result as JSON on stdout (progress stays on stderr)
  -h, --help     this text`;

/** Parsed command line. */
export interface SoakOptions {
  durationMs: number;
  checks: number;
  json: boolean;
}

/** A bad option: the message is for the user, not a stack trace. */
export class SoakUsageError extends Error {}

/** Parses argv; undefined means help was asked for. Throws {@link SoakUsageError} on a bad value. */
export function parseSoakOptions(argv: string[]): SoakOptions | undefined {
  let values: { duration?: string; checks?: string; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        duration: { type: 'string' },
        checks: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new SoakUsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return undefined;
  const durationText = values.duration ?? '10m';
  const durationMs = parseDuration(durationText);
  if (durationMs === undefined || durationMs < 30_000)
    throw new SoakUsageError(`--duration: "${durationText}" is not a duration of at least 30s (e.g. 30s, 10m, 1h)`);
  const checksText = values.checks ?? '1000';
  const checks = Number(checksText);
  if (!Number.isInteger(checks) || checks < 50)
    throw new SoakUsageError(`--checks: "${checksText}" is not a whole number of at least 50`);
  return { durationMs, checks, json: values.json === true };
}

/** Sample (and scrape) every 15 s, as Prometheus would; shorter runs more often, so each has 40 samples. */
export function sampleIntervalMs(durationMs: number): number {
  return Math.min(15_000, Math.max(1_000, Math.round(durationMs / 40)));
}
