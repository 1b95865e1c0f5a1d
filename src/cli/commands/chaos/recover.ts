import { Command } from 'commander';
import { recoverUnfinished } from '../../../chaos/recover.js';
import { EXIT } from '../../exit.js';
import type { Io } from '../../io.js';
import { CONFIG_OPTION, loadChaosConfig, operatorName, stderrLogger } from './common.js';

/** `canary chaos recover`: completes the rollbacks of runs whose runner died. */
export function chaosRecoverCommand(io: Io): Command {
  return new Command('recover')
    .description('revert the faults of every run left unfinished (its runner died) and run its rollbacks')
    .option(...CONFIG_OPTION)
    .option('--operator <name>', 'who recovers (default: the OS user)')
    .option('--json', 'print what was recovered as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  canary chaos recover --config config/agent.yaml\n\n`canary run` does the same at start. Exit: 0 nothing left or all reverted, 1 a revert failed.',
    )
    .action(async (options: { config?: string; operator?: string; json?: boolean }) => {
      const config = await loadChaosConfig(io, options.config);
      const recovered = await recoverUnfinished(config.chaos.stateDir, {
        operator: operatorName(options.operator),
        logger: stderrLogger(),
      });
      if (options.json) io.out(JSON.stringify({ recovered }, null, 2));
      else if (recovered.length === 0) io.out('nothing to recover');
      else
        for (const r of recovered)
          io.out(
            `${r.experiment} (run ${r.runId}): ${r.reverted} fault(s) reverted${r.ok ? '' : ', SOME CALLS FAILED: see the journal'}`,
          );
      io.exitCode = recovered.every((r) => r.ok) ? EXIT.ok : EXIT.failed;
    });
}
