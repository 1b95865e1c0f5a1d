import { Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import { formatProblem } from '../../errors.js';
import { BLACKBOX_FLAG, BLACKBOX_FLAG_HELP } from '../blackbox-flag.js';
import { formatDuration } from '../../config/units.js';
import { GATE_DEFAULTS, GATE_LIMITS, parseGateOptions, type GateOptions } from '../../gate/options.js';
import { buildReport, formatReport } from '../../gate/report.js';
import { runGate, type GatePlan } from '../../gate/run.js';
import { parseLabelFlags, selectChecks } from '../../gate/select.js';
import { overrideChecks } from '../../gate/target-override.js';
import { createProbeRegistry } from '../../probes/registry.js';
import { EXIT, usageError } from '../exit.js';
import { CONFIG_FLAG, configPath, type Io } from '../io.js';

interface GateFlags {
  config?: string;
  blackboxConfig?: string;
  check?: string[];
  tag?: string[];
  label?: string[];
  baseUrl?: string;
  runs?: string;
  duration?: string;
  interval?: string;
  minSuccessRatio?: string;
  maxP95?: string;
  json?: boolean;
}

const HELP = `
Each check keeps its path and query; scheme, host and port come from --base-url (a path
on it is put in front). p95 is over every attempt, failed ones included.
SIGINT/SIGTERM: stop, then judge the attempts that completed (a second signal exits 1 at once).

Examples:
  canary gate --base-url http://10.0.4.17:8080 --runs 20 --interval 500ms
  canary gate --check api-search --label team=search --base-url https://green.example.com --duration 2m --max-p95 300ms --json

Exit: 0 every check met the thresholds, 1 a check did not, 2 bad input (flags, config, unknown check).`;

/** `canary gate`: probes a new deployment with the config's checks and judges it against thresholds. */
export function gateCommand(io: Io): Command {
  return new Command('gate')
    .description(
      'deployment gate: run checks against a base URL N times (or for a duration) and judge success ratio and p95',
    )
    .option(...CONFIG_FLAG)
    .option(BLACKBOX_FLAG, BLACKBOX_FLAG_HELP)
    .option('--check <name>', 'check to run (repeatable; default: every enabled HTTP check)', collect)
    .option('-l, --label <name=value>', 'only checks with this label (repeatable, all must match)', collect)
    .option('--tag <name=value>', 'same as --label', collect)
    .option('--base-url <url>', 'where to send the checks, e.g. http://10.0.4.17:8080 (required)')
    .option('--runs <n>', `attempts per check (1-${GATE_LIMITS.maxRuns}); or --duration`)
    .option(
      '--duration <duration>',
      `keep probing this long, e.g. 2m (up to ${formatDuration(GATE_LIMITS.maxDurationMs)}); or --runs`,
    )
    .option(
      '--interval <duration>',
      `pause between attempts of a check (default ${GATE_DEFAULTS.interval}, ${formatDuration(GATE_LIMITS.minIntervalMs)}-${formatDuration(GATE_LIMITS.maxIntervalMs)})`,
    )
    .option(
      '--min-success-ratio <ratio>',
      `lowest passing share of attempts, 0-1 (default ${GATE_DEFAULTS.minSuccessRatio})`,
    )
    .option('--max-p95 <duration>', `highest p95 attempt duration (default ${GATE_DEFAULTS.maxP95})`)
    .option('--json', 'print the report as JSON')
    .addHelpText('after', HELP)
    .action(async (flags: GateFlags) => {
      io.exitCode = await gate(flags, io);
    });
}

function parseFlags(flags: GateFlags): GateOptions {
  if (flags.baseUrl === undefined) throw usageError('--base-url: required (where the new deployment answers)');
  const parsed = parseGateOptions({
    baseUrl: flags.baseUrl,
    runs: flags.runs,
    duration: flags.duration,
    interval: flags.interval,
    minSuccessRatio: flags.minSuccessRatio,
    maxP95: flags.maxP95,
  });
  if (!parsed.ok) throw usageError(parsed.problems.join('\n'));
  return parsed.options;
}

async function gate(flags: GateFlags, io: Io): Promise<number> {
  const options = parseFlags(flags);
  const labels = { ...parseLabelFlags('--tag', flags.tag ?? []), ...parseLabelFlags('--label', flags.label ?? []) };
  const config = await loadConfig(configPath(io, flags.config), { blackboxConfig: flags.blackboxConfig });
  for (const warning of config.warnings ?? []) io.err(`canary gate: warning: ${formatProblem(warning)}`);
  const selected = selectChecks(config.checks, { names: flags.check ?? [], labels });
  const checks = overrideChecks(selected, options.baseUrl);
  const plan: GatePlan = { intervalMs: options.interval, runs: options.runs, durationMs: options.duration };
  const how = options.runs !== undefined ? `${options.runs} runs each` : `for ${formatDuration(options.duration ?? 0)}`;
  io.err(
    `canary gate: ${checks.length} check(s) against ${options.baseUrl.href}, ${how}, ${formatDuration(options.interval)} apart`,
  );

  const probes = createProbeRegistry();
  const stop = stopOnSignal(io);
  try {
    const run = await runGate(checks, plan, {
      probes,
      region: config.agent.region,
      concurrency: config.probes.concurrency,
      signal: stop.signal,
    });
    const report = buildReport(
      {
        baseUrl: options.baseUrl,
        thresholds: { minSuccessRatio: options.minSuccessRatio, maxP95Ms: options.maxP95 },
        interrupted: run.interrupted,
      },
      checks.map((check, i) => ({ check, configuredTarget: selected[i]?.target ?? check.target })),
      run.results,
    );
    io.out(flags.json ? JSON.stringify(report, null, 2) : formatReport(report));
    return report.pass ? EXIT.ok : EXIT.failed;
  } finally {
    stop.dispose();
    await probes.close();
  }
}

/**
 * The first SIGINT/SIGTERM stops the run (it is then judged on what completed); a second
 * one means it and exits at once with 1, as `canary run` does.
 */
function stopOnSignal(io: Io): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(EXIT.failed);
    io.err(`canary gate: ${signal}: stopping; judging the attempts that completed`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** Repeatable options collect into a list instead of the last one winning. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
