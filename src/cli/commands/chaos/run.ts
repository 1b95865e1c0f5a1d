import { Command } from 'commander';
import { Agent } from '../../../agent.js';
import { formatPlan, planExperiment } from '../../../chaos/dry-run.js';
import { loadExperiment } from '../../../chaos/load.js';
import { recoverUnfinished } from '../../../chaos/recover.js';
import { ExperimentRun } from '../../../chaos/runner.js';
import { AuditLog } from '../../../chaos/state/audit.js';
import { isHttpUrl } from '../../../chaos/schema/url.js';
import { steadyState } from '../../../chaos/hypothesis.js';
import type { ChaosProgress } from '../../../chaos/progress.js';
import { JournalStore } from '../../../chaos/state/journal.js';
import { summarize } from '../../../chaos/summary.js';
import { redactText } from '../../../secrets/redact.js';
import { liveFigures, ProgressPrinter, type ProgressStream } from '../../chaos-progress.js';
import type { Experiment } from '../../../chaos/model/experiment.js';
import type { Journal } from '../../../chaos/model/journal.js';
import type { Config } from '../../../config/types.js';
import { parseDuration } from '../../../config/units.js';
import { displayPath } from '../../../errors.js';
import type { Logger } from '../../../log.js';
import { EXIT, usageError } from '../../exit.js';
import type { Io } from '../../io.js';
import { EXPERIMENT_CONFIG_OPTION, experimentConfig, loadChaosConfig, operatorName, stderrLogger } from './common.js';
import { budgetRefusal, checkApproval, haltRefusal } from './run-refusals.js';

interface RunOptions {
  config?: string;
  dryRun?: boolean;
  json?: boolean;
  operator?: string;
  approvedBy?: string;
  warmup: string;
  prometheus?: string;
  alertmanager?: string;
}

/** `canary chaos run FILE`: one experiment, now, with its own probing of the hypothesis checks. */
export function chaosRunCommand(io: Io): Command {
  return new Command('run')
    .description('run one experiment now: steady state, method, rollback, recovery check')
    .argument('<file>', 'experiment file (YAML)')
    .option(...EXPERIMENT_CONFIG_OPTION)
    .option('--dry-run', 'resolve real targets and print every call; touch nothing')
    .option('--json', 'print the journal (or the plan) as JSON')
    .option('--operator <name>', 'who runs it (default: the OS user)')
    .option('--approved-by <name>', 'the second person, for experiments with requireApproval')
    .option('--warmup <duration>', 'longest wait for enough results to judge the steady state', '2m')
    .option(
      '--prometheus <url>',
      'Prometheus for the PromQL entries of the hypothesis and requireErrorBudget (default: chaos.prometheus)',
    )
    .option('--alertmanager <url>', 'show the run in this Alertmanager (default: chaos.alertmanager)')
    .addHelpText(
      'after',
      '\nExample:\n  canary chaos run chaos/stop-one-backend.yaml --dry-run   # its config: config/demo.yaml\n\n' +
        'Needs chaos.enabled: true in the config. SIGINT/SIGTERM: roll back, then exit.\n' +
        'Exit: 0 completed (steady state held after), 1 deviated, aborted, interrupted, failed, halted or busy, 2 refused (disabled, approval, requireErrorBudget below min or unknown, bad input, a dry run whose plan cannot run).',
    )
    .action(async (file: string, options: RunOptions) => {
      io.exitCode = await chaosRun(file, options, io);
    });
}

/** The flags checked before any file is read, so a typo costs nothing. */
function checkedFlags(options: RunOptions): { warmupMs: number; flagAlertmanager: string | undefined } {
  const warmupMs = parseDuration(options.warmup);
  if (warmupMs === undefined) throw usageError(`--warmup: "${options.warmup}" is not a duration`);
  if (options.prometheus !== undefined && !isHttpUrl(options.prometheus))
    throw usageError(`--prometheus: "${options.prometheus}" is not an http:// or https:// URL`);
  return { warmupMs, flagAlertmanager: alertmanagerUrl(options.alertmanager) };
}

async function chaosRun(file: string, options: RunOptions, io: Io): Promise<number> {
  const { warmupMs, flagAlertmanager } = checkedFlags(options);
  const named = options.config === undefined ? await experimentConfig(file) : undefined;
  const config = await loadChaosConfig(io, options.config, named);
  const experiment = await loadExperiment(file, config);
  const operator = operatorName(options.operator);
  if (options.dryRun) return dryRun(experiment, config, options, io);
  if (!config.chaos.enabled) {
    io.err(
      `canary: chaos is disabled: set chaos.enabled: true in ${displayPath(config.file)} to run experiments (nothing was touched)`,
    );
    return EXIT.usage;
  }
  if (experiment.requireApproval) checkApproval(operator, options.approvedBy);
  const prometheus = options.prometheus ?? config.chaos.prometheus;
  const lowBudget = await budgetRefusal(experiment, config, prometheus, (line) => io.err(`canary: ${line}`));
  if (lowBudget) {
    io.err(`canary: ${lowBudget}`);
    return EXIT.usage;
  }
  const alertmanager = flagAlertmanager ?? config.chaos.alertmanager;
  const halted = await haltRefusal(experiment, config, alertmanager);
  if (halted) {
    io.err(`canary: ${halted} (nothing was touched)`);
    return EXIT.failed;
  }
  const logger = stderrLogger('info');
  // A run that died before this one is completed first: its faults must not stay behind.
  for (const r of await recoverUnfinished(config.chaos.stateDir, { operator, logger })) {
    logger.warn(
      { runId: r.runId, experiment: r.experiment, reverted: r.reverted, ok: r.ok },
      'an unfinished chaos run was recovered before this one',
    );
  }
  if (options.approvedBy) {
    await new AuditLog(config.chaos.stateDir).append({
      event: 'approval',
      operator,
      experiment: experiment.name,
      detail: `approved by ${options.approvedBy}`,
    });
  }
  // --json prints one document and nothing else: no progress lines around it.
  const progress = options.json ? undefined : progressStream(io);
  const journal = await runWithProbing(experiment, config, {
    ...(alertmanager ? { alertmanager } : {}),
    operator,
    approvedBy: options.approvedBy,
    warmupMs,
    logger,
    prometheus,
    ...(progress ? { progress } : {}),
  });
  if (options.json) io.out(JSON.stringify(journal, null, 2));
  else io.out(`${summarize(journal)}\njournal: ${new JournalStore(config.chaos.stateDir).path(journal.runId)}`);
  return journal.status === 'completed' ? EXIT.ok : EXIT.failed;
}

/** `--alertmanager`, checked: an http(s) URL. */
export function alertmanagerUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol))
    throw usageError(`--alertmanager: "${value}" is not an http(s) URL`);
  return value;
}

async function dryRun(experiment: Experiment, config: Config, options: RunOptions, io: Io): Promise<number> {
  const plan = await planExperiment(experiment);
  const notes: string[] = [];
  if (!config.chaos.enabled)
    notes.push(`note: chaos is disabled in ${displayPath(config.file)}: a real run would be refused`);
  if (experiment.requireApproval) notes.push('note: this experiment needs --approved-by for a real run');
  if (experiment.requireErrorBudget)
    notes.push(
      (options.prometheus ?? config.chaos.prometheus)
        ? 'note: requireErrorBudget: a real run first asks Prometheus for the remaining budget, and is refused below min'
        : 'note: requireErrorBudget: a real standalone run is refused without --prometheus (or chaos.prometheus); the agent runs it on its schedule',
    );
  io.out(options.json ? JSON.stringify({ ...plan, notes }, null, 2) : [formatPlan(plan), ...notes].join('\n'));
  if (plan.ok) return EXIT.ok;
  // A plan that cannot run is bad input as things are: a real run would refuse it too.
  const failing = [...plan.method, ...plan.rollback].filter((s) => s.error !== undefined);
  io.err(
    `canary: ${failing.length} step(s) of the plan cannot run: ${failing.map((s) => `${s.id} (${s.error})`).join('; ')}`,
  );
  return EXIT.usage;
}

/**
 * Runs the experiment beside an agent (no HTTP server) that probes the hypothesis checks
 * with the agent's own code, so the runner judges the same numbers the metrics show.
 */
async function runWithProbing(
  experiment: Experiment,
  config: Config,
  o: {
    operator: string;
    approvedBy?: string;
    warmupMs: number;
    logger: Logger;
    prometheus?: string | undefined;
    alertmanager?: string;
    progress?: ProgressStream;
  },
): Promise<Journal> {
  const names = new Set([...experiment.steadyState, ...experiment.abortWhen].map((t) => t.check));
  const probing: Config = {
    ...config,
    checks: config.checks.filter((c) => names.has(c.name)),
    exporters: { ...config.exporters, prometheus: { ...config.exporters.prometheus, enabled: false } },
  };
  const agent = new Agent(probing, { logger: o.logger });
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      o.logger.warn({ signal }, 'rollback in progress; SIGKILL abandons it (then run `canary chaos recover`)');
      return;
    }
    o.logger.warn({ signal }, 'stop requested: rolling back');
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await agent.startProbing();
  const printer = o.progress ? watchProgress(o.progress, experiment, agent) : undefined;
  try {
    const run = new ExperimentRun(experiment, {
      stateDir: config.chaos.stateDir,
      windows: agent.windows,
      bus: agent.bus,
      logger: o.logger,
      operator: o.operator,
      ...(o.approvedBy ? { approvedBy: o.approvedBy } : {}),
      signal: stop.signal,
      warmupTimeoutMs: o.warmupMs,
      ...(o.prometheus ? { prometheus: o.prometheus } : {}),
      ...(agent.tracer ? { tracer: agent.tracer } : {}),
      ...(o.alertmanager ? { alertmanager: o.alertmanager } : {}),
      onUnreachable: config.chaos.onUnreachable.running,
      region: config.agent.region,
      ...(printer ? { progress: (e: ChaosProgress) => printer.event(e) } : {}),
    });
    return await run.run();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    printer?.stop();
    await agent.stop();
  }
}

/**
 * A terminal gets the live line, written straight to it (redacted like every other output);
 * anything else gets whole lines through `io`.
 */
function progressStream(io: Io): ProgressStream {
  if (process.stdout.isTTY) return { isTTY: true, write: (text) => process.stdout.write(redactText(text)) };
  return { write: (text) => io.out(text.replace(/\n$/, '')) };
}

/** A printer for the run: its start and end lines, and the live line's figures from the agent's windows. */
function watchProgress(stream: ProgressStream, experiment: Experiment, agent: Agent): ProgressPrinter {
  const printer = new ProgressPrinter(stream, {
    live: () => liveFigures(steadyState(experiment.steadyState, agent.windows)),
  });
  agent.bus.on('chaos.run.start', (e) => printer.line(`run ${e.runId} of ${e.experiment} started`));
  agent.bus.on('chaos.run.end', (e) => printer.line(`run ${e.runId} ended: ${e.status}`));
  printer.start();
  return printer;
}
