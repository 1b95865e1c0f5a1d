import { Command } from 'commander';
import { AuditLog } from '../../../chaos/state/audit.js';
import { halt, haltStatus, resume } from '../../../chaos/state/halt.js';
import { readLock } from '../../../chaos/state/lock.js';
import { EXIT } from '../../exit.js';
import type { Io } from '../../io.js';
import { CONFIG_OPTION, loadChaosConfig, operatorName } from './common.js';
import { collectMatch, fleetHalt, fleetResume, type FleetOptions } from './fleet-halt.js';

/** How long `halt` waits to report that the running experiment has let go. */
const WAIT_FOR_RUNNER_MS = 5_000;

/** `canary chaos halt`: the host-wide kill switch. */
export function chaosHaltCommand(io: Io): Command {
  return new Command('halt')
    .description('stop every chaos run on this host now (each rolls back) and refuse new ones until resume')
    .option(...CONFIG_OPTION)
    .option('--reason <text>', 'why, for the audit log')
    .option('--operator <name>', 'who halts (default: the OS user)')
    .option('--fleet', "every runner following the fleet's Alertmanager, not this host")
    .option('--alertmanager <url>', 'with --fleet: the Alertmanager (default: chaos.alertmanager)')
    .option('--match <key=value>', 'with --fleet: only experiment=, region= or target= (repeatable)', collectMatch, [])
    .addHelpText(
      'after',
      '\nExample:\n  canary chaos halt --config config/agent.yaml --reason "incident INC-123"\n  canary chaos halt --fleet --alertmanager http://alertmanager:9093 --match region=eu-west-1\n\nExit: 0 halted (and the running experiment, if any, let go).',
    )
    .action(async (options: FleetOptions) => {
      if (options.fleet) return fleetHalt(options, io);
      const config = await loadChaosConfig(io, options.config);
      const operator = operatorName(options.operator);
      const stateDir = config.chaos.stateDir;
      await halt(stateDir, { operator, reason: options.reason ?? '' });
      await new AuditLog(stateDir).append({ event: 'halt', operator, detail: options.reason ?? '' });
      io.out(
        `chaos halted by ${operator}: running experiments roll back and stop; new runs are refused until \`canary chaos resume\``,
      );
      const until = Date.now() + WAIT_FOR_RUNNER_MS;
      let lock = await readLock(stateDir);
      while (lock && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 100));
        lock = await readLock(stateDir);
      }
      if (lock)
        io.err(
          `canary: ${lock.experiment} (run ${lock.runId}, pid ${lock.pid}) still holds the run lock after ${WAIT_FOR_RUNNER_MS / 1000}s: it is rolling back, or stuck`,
        );
      io.exitCode = lock ? EXIT.failed : EXIT.ok;
    });
}

/** `canary chaos resume`: lifts the halt. */
export function chaosResumeCommand(io: Io): Command {
  return new Command('resume')
    .description('lift a halt: experiments may run again')
    .option(...CONFIG_OPTION)
    .option('--operator <name>', 'who resumes (default: the OS user)')
    .option('--fleet', "lift the fleet halt in the fleet's Alertmanager")
    .option('--alertmanager <url>', 'with --fleet: the Alertmanager (default: chaos.alertmanager)')
    .option('--match <key=value>', 'with --fleet: only the halts with these labels (repeatable)', collectMatch, [])
    .addHelpText(
      'after',
      '\nExample:\n  canary chaos resume --config config/agent.yaml\n  canary chaos resume --fleet --alertmanager http://alertmanager:9093\n\nExit: 0.',
    )
    .action(async (options: FleetOptions) => {
      if (options.fleet) return fleetResume(options, io);
      const config = await loadChaosConfig(io, options.config);
      const operator = operatorName(options.operator);
      const was = await haltStatus(config.chaos.stateDir);
      await resume(config.chaos.stateDir);
      await new AuditLog(config.chaos.stateDir).append({
        event: 'resume',
        operator,
        detail: was ? `halt by ${was.operator} lifted` : 'was not halted',
      });
      io.out(was ? `chaos resumed by ${operator} (halted by ${was.operator} at ${was.at})` : 'chaos was not halted');
      io.exitCode = EXIT.ok;
    });
}
