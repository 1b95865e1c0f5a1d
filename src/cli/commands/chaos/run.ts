import { Command } from 'commander';
import { Agent } from '../../../agent.js';
import { formatPlan, planExperiment } from '../../../chaos/dry-run.js';
import { loadExperiment } from '../../../chaos/load.js';
import { recoverUnfinished } from '../../../chaos/recover.js';
import { ExperimentRun } from '../../../chaos/runner.js';
import { AuditLog } from '../../../chaos/state/audit.js';
import { haltStatus } from '../../../chaos/state/halt.js';
import { summarize } from '../../../chaos/summary.js';
import type { Experiment } from '../../../chaos/model/experiment.js';
import type { Journal } from '../../../chaos/model/journal.js';
import type { Config } from '../../../config/types.js';
import { parseDuration } from '../../../config/units.js';
import { displayPath } from '../../../errors.js';
import type { Logger } from '../../../log.js';
import { EXIT, usageError } from '../../exit.js';
import type { Io } from '../../io.js';
import { CONFIG_OPTION, loadChaosConfig, operatorName, stderrLogger } from './common.js';

interface RunOptions {
  config: string;
  dryRun?: boolean;
  json?: boolean;
  operator?: string;
  approvedBy?: string;
  warmup: string;
}

/** `canary chaos run FILE`: one experiment, now, with its own probing of the hypothesis checks. */
export function chaosRunCommand(io: Io): Command {
  return new Command('run')
    .description('run one experiment now: steady state, method, rollback, recovery check')
    .argument('<file>', 'experiment file (YAML)')
    .option(...CONFIG_OPTION)
    .option('--dry-run', 'resolve real targets and print every call; touch nothing')
    .option('--json', 'print the journal (or the plan) as JSON')
    .option('--operator <name>', 'who runs it (default: the OS user)')
    .option('--approved-by <name>', 'the second person, for experiments with requireApproval')
    .option('--warmup <duration>', 'longest wait for enough results to judge the steady state', '2m')
    .addHelpText(
      'after',
      '\nExample:\n  canary chaos run chaos/stop-one-backend.yaml --config config/agent.yaml --dry-run\n\n' +
        'Needs chaos.enabled: true in the config. SIGINT/SIGTERM: roll back, then exit.\n' +
        'Exit: 0 completed (steady state held after), 1 deviated, aborted, interrupted, failed, halted or busy, 2 refused (disabled, approval, bad input).',
    )
    .action(async (file: string, options: RunOptions) => {
      io.exitCode = await chaosRun(file, options, io);
    });
}

async function chaosRun(file: string, options: RunOptions, io: Io): Promise<number> {
  const warmupMs = parseDuration(options.warmup);
  if (warmupMs === undefined) throw usageError(`--warmup: "${options.warmup}" is not a duration`);
  const config = await loadChaosConfig(options.config);
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
  const halted = await haltStatus(config.chaos.stateDir);
  if (halted) {
    io.err(
      `canary: chaos is halted on this host by ${halted.operator} since ${halted.at}${halted.reason ? ` (${halted.reason})` : ''}; \`canary chaos resume\` first (nothing was touched)`,
    );
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
  const journal = await runWithProbing(experiment, config, {
    operator,
    approvedBy: options.approvedBy,
    warmupMs,
    logger,
  });
  io.out(options.json ? JSON.stringify(journal, null, 2) : summarize(journal));
  return journal.status === 'completed' ? EXIT.ok : EXIT.failed;
}

function checkApproval(operator: string, approvedBy: string | undefined): void {
  if (!approvedBy)
    throw usageError(
      'this experiment has requireApproval: true; pass --approved-by NAME (a person other than the operator)',
    );
  if (approvedBy === operator)
    throw usageError(`--approved-by must name someone other than the operator (${operator})`);
}

async function dryRun(experiment: Experiment, config: Config, options: RunOptions, io: Io): Promise<number> {
  const plan = await planExperiment(experiment);
  const notes: string[] = [];
  if (!config.chaos.enabled)
    notes.push(`note: chaos is disabled in ${displayPath(config.file)}: a real run would be refused`);
  if (experiment.requireApproval) notes.push('note: this experiment needs --approved-by for a real run');
  io.out(options.json ? JSON.stringify({ ...plan, notes }, null, 2) : [formatPlan(plan), ...notes].join('\n'));
  return EXIT.ok;
}

/**
 * Runs the experiment beside an agent (no HTTP server) that probes the hypothesis checks
 * with the agent's own code, so the runner judges the same numbers the metrics show.
 */
async function runWithProbing(
  experiment: Experiment,
  config: Config,
  o: { operator: string; approvedBy?: string; warmupMs: number; logger: Logger },
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
      ...(agent.tracer ? { tracer: agent.tracer } : {}),
    });
    return await run.run();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await agent.stop();
  }
}
