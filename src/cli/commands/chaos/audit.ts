import { Command } from 'commander';
import { join } from 'node:path';
import { verify } from '../../../chaos/state/audit.js';
import { EXIT } from '../../exit.js';
import type { Io } from '../../io.js';
import { CONFIG_OPTION, loadChaosConfig } from './common.js';

/** `canary chaos audit verify`: checks the hash chain of the audit log. */
export function chaosAuditCommand(io: Io): Command {
  const audit = new Command('audit').description('the chaos audit log');
  audit.addCommand(
    new Command('verify')
      .description('check that no audit line was edited, removed or reordered')
      .option(...CONFIG_OPTION)
      .option('--json', 'print the result as JSON')
      .addHelpText(
        'after',
        '\nExample:\n  canary chaos audit verify --config config/agent.yaml\n\nExit: 0 intact, 1 tampered.',
      )
      .action(async (options: { config?: string; json?: boolean }) => {
        const config = await loadChaosConfig(io, options.config);
        const result = await verify(config.chaos.stateDir);
        const file = join(config.chaos.stateDir, 'audit.jsonl');
        if (options.json) io.out(JSON.stringify({ file, ...result }, null, 2));
        else if (result.ok) io.out(`${file}: intact (${result.lines} lines)`);
        else for (const p of result.problems) io.err(`${file}:${p.line}: ${p.message}`);
        io.exitCode = result.ok ? EXIT.ok : EXIT.failed;
      }),
  );
  return audit;
}
