import { Command } from 'commander';
import { loadExperiments } from '../../../chaos/load.js';
import { haltStatus } from '../../../chaos/state/halt.js';
import { JournalStore } from '../../../chaos/state/journal.js';
import { configError } from '../../../config/load.js';
import { displayPath } from '../../../errors.js';
import { EXIT } from '../../exit.js';
import type { Io } from '../../io.js';
import { CONFIG_OPTION, loadChaosConfig } from './common.js';

/** `canary chaos list`: the configured experiments, their schedule and their last run. */
export function chaosListCommand(io: Io): Command {
  return new Command('list')
    .description('list the configured experiments with their schedule and last run')
    .option(...CONFIG_OPTION)
    .option('--json', 'print as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  canary chaos list --config config/agent.yaml --json\n\nExit: 0, 2 when an experiment is invalid.',
    )
    .action(async (options: { config: string; json?: boolean }) => {
      const config = await loadChaosConfig(options.config);
      const { experiments, problems } = await loadExperiments(config);
      if (problems.length > 0) throw configError(problems);
      const journals = await new JournalStore(config.chaos.stateDir).list();
      const halted = await haltStatus(config.chaos.stateDir);
      const rows = experiments.map((e) => {
        const last = journals.find((j) => j.experiment === e.name);
        return {
          name: e.name,
          file: displayPath(e.file),
          tags: e.tags,
          schedule: e.schedule?.cron ?? null,
          requireApproval: e.requireApproval,
          lastRun: last ? { runId: last.runId, status: last.status, startedAt: last.startedAt } : null,
        };
      });
      if (options.json)
        io.out(JSON.stringify({ enabled: config.chaos.enabled, halted: halted ?? null, experiments: rows }, null, 2));
      else {
        io.out(
          `chaos ${config.chaos.enabled ? 'enabled' : 'disabled'}${halted ? `, HALTED by ${halted.operator} at ${halted.at}` : ''}`,
        );
        for (const r of rows) {
          const last = r.lastRun ? `last ${r.lastRun.status} at ${r.lastRun.startedAt}` : 'never run';
          io.out(`${r.name}  ${r.file}  ${r.schedule ? `cron "${r.schedule}"` : 'manual'}  ${last}`);
        }
      }
      io.exitCode = EXIT.ok;
    });
}
