import { Command } from 'commander';
import { turnDelayMs } from '../../../chaos/fleet/turns.js';
import { budgetPercent, sloChecks, type BudgetReading } from '../../../chaos/budget.js';
import { promqlBudgetSource } from '../../../chaos/promql/budget.js';
import { isHttpUrl } from '../../../chaos/schema/url.js';
import { loadExperiments } from '../../../chaos/load.js';
import { nextRun, type NextRun } from '../../../chaos/next-run.js';
import type { Experiment } from '../../../chaos/model/experiment.js';
import { haltStatus } from '../../../chaos/state/halt.js';
import { JournalStore } from '../../../chaos/state/journal.js';
import { configError } from '../../../config/load.js';
import { formatDuration } from '../../../config/units.js';
import type { Config } from '../../../config/types.js';
import { displayPath } from '../../../errors.js';
import { EXIT, usageError } from '../../exit.js';
import type { Io } from '../../io.js';
import { CONFIG_OPTION, loadChaosConfig } from './common.js';

/** The remaining budget of a gated experiment, as `list` shows it; null without a gate. */
interface BudgetColumn {
  remaining: number | null;
  source: string;
  /** Why the figure is not here: Prometheus could not say, or only the running agent knows it. */
  unknown?: string;
}

const METRIC = 'canary_chaos_error_budget_remaining';

/** Asks Prometheus when there is one; else says where the figure is: the running agent's metric. */
async function budgetColumn(
  e: Experiment,
  config: Config,
  prometheus: string | undefined,
): Promise<BudgetColumn | null> {
  const gate = e.requireErrorBudget;
  if (gate === undefined) return null;
  if (prometheus === undefined)
    return {
      remaining: null,
      source: 'agent',
      unknown: `only the running agent knows it: ${METRIC}{experiment="${e.name}"} in its /metrics`,
    };
  const reading: BudgetReading = await promqlBudgetSource(prometheus, sloChecks(config)).remaining(gate.slo);
  return reading.remaining === undefined
    ? { remaining: null, source: 'prometheus', unknown: reading.unknown }
    : { remaining: reading.remaining, source: 'prometheus' };
}

/** ` (12.5% left, Prometheus)` after the gate, or where to see it. */
function showBudget(column: BudgetColumn): string {
  if (column.remaining !== null) return ` (${budgetPercent(column.remaining)} left, ${column.source})`;
  return column.source === 'prometheus' ? ` (remaining unknown: ${column.unknown})` : ` (remaining: ${column.unknown})`;
}

/** `canary chaos list`: the configured experiments, their schedule and their last run. */
export function chaosListCommand(io: Io): Command {
  return new Command('list')
    .description('list the configured experiments with their schedule, next scheduled run and last run')
    .option(...CONFIG_OPTION)
    .option('--json', 'print as JSON')
    .option('--prometheus <url>', 'ask this Prometheus for the remaining error budgets (default: chaos.prometheus)')
    .addHelpText(
      'after',
      '\nExample:\n  canary chaos list --config config/agent.yaml --json\n\n' +
        'The next run is when `canary run --enable-chaos` with this config would start it: the first\n' +
        'cron tick in its windows past its minimum gap (or why none: disabled, manual, approval, halted).\n\n' +
        'Exit: 0, 2 when an experiment is invalid.',
    )
    .action(async (options: { config?: string; json?: boolean; prometheus?: string }) => {
      if (options.prometheus !== undefined && !isHttpUrl(options.prometheus))
        throw usageError(`--prometheus: "${options.prometheus}" is not an http:// or https:// URL`);
      const config = await loadChaosConfig(io, options.config);
      const prometheus = options.prometheus ?? config.chaos.prometheus;
      const { experiments, problems } = await loadExperiments(config);
      if (problems.length > 0) throw configError(problems);
      const journals = await new JournalStore(config.chaos.stateDir).list();
      const halted = await haltStatus(config.chaos.stateDir);
      const budgets = await Promise.all(experiments.map((e) => budgetColumn(e, config, prometheus)));
      const region = config.agent.region;
      const next = await Promise.all(
        experiments.map((e) => nextRun(e, config.chaos.stateDir, { enabled: config.chaos.enabled, region })),
      );
      const rows = experiments.map((e, i) => {
        const last = journals.find((j) => j.experiment === e.name);
        return {
          name: e.name,
          file: displayPath(e.file),
          tags: e.tags,
          schedule: e.schedule?.cron ?? null,
          requireApproval: e.requireApproval,
          requireErrorBudget: e.requireErrorBudget ?? null,
          turn: turnOf(e, config.agent.region),
          errorBudget: budgets[i] ?? null,
          nextRun: next[i] as NextRun,
          lastRun: last
            ? { runId: last.runId, status: last.status, startedAt: last.startedAt, endedAt: last.endedAt ?? null }
            : null,
        };
      });
      if (options.json)
        io.out(JSON.stringify({ enabled: config.chaos.enabled, halted: halted ?? null, experiments: rows }, null, 2));
      else printRows(io, config.chaos.enabled, halted, rows);
      io.exitCode = EXIT.ok;
    });
}

type Row = {
  name: string;
  file: string;
  schedule: string | null;
  requireErrorBudget: { slo: string; min: number } | null;
  turn: ReturnType<typeof turnOf>;
  errorBudget: BudgetColumn | null;
  nextRun: NextRun;
  lastRun: { status: string; startedAt: string; endedAt: string | null } | null;
};

/** The text form: one line per experiment and its next run under it. */
function printRows(io: Io, enabled: boolean, halted: { operator: string; at: string } | undefined, rows: Row[]): void {
  io.out(`chaos ${enabled ? 'enabled' : 'disabled'}${halted ? `, HALTED by ${halted.operator} at ${halted.at}` : ''}`);
  for (const r of rows) {
    const last = r.lastRun ? lastText(r.lastRun) : 'never run';
    const gate = r.requireErrorBudget
      ? `  needs ${budgetPercent(r.requireErrorBudget.min)} of "${r.requireErrorBudget.slo}" error budget` +
        (r.errorBudget ? showBudget(r.errorBudget) : '')
      : '';
    const turn = r.turn ? `  ${turnText(r.turn)}` : '';
    io.out(`${r.name}  ${r.file}  ${r.schedule ? `cron "${r.schedule}"` : 'manual'}${turn}  ${last}${gate}`);
    io.out(`  next: ${r.nextRun.at ?? `none (${r.nextRun.why})`}`);
  }
}

/** `last completed, started … ended …`: a run's outcome and both of its times. */
function lastText(run: { status: string; startedAt: string; endedAt: string | null }): string {
  return `last ${run.status}, started ${run.startedAt}${run.endedAt ? `, ended ${run.endedAt}` : ', not ended'}`;
}

/** This agent's turn in a fleet schedule: how long after each tick its region starts (null: no turn). */
function turnOf(exp: Experiment, region: string) {
  const fleet = exp.schedule?.fleet;
  if (!fleet) return null;
  const delay = turnDelayMs(fleet, region);
  return { region, regions: fleet.regions, gap: formatDuration(fleet.gapMs), startsAfterTick: delay ?? null };
}

function turnText(turn: NonNullable<ReturnType<typeof turnOf>>): string {
  if (turn.startsAfterTick === null) return `no turn for region ${turn.region} (regions: ${turn.regions.join(', ')})`;
  return `region ${turn.region} starts ${formatDuration(turn.startsAfterTick)} after each tick`;
}
