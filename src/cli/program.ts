import { Command, CommanderError } from 'commander';
import { chaosCommand } from './commands/chaos.js';
import { coverageCommand } from './commands/coverage.js';
import { demoCommand } from './commands/demo.js';
import { discoverCommand } from './commands/discover.js';
import { gateCommand } from './commands/gate.js';
import { importCommand } from './commands/import.js';
import { initCommand } from './commands/init.js';
import { kubernetesCommand } from './commands/kubernetes.js';
import { labCommand } from './commands/lab.js';
import { probeCommand } from './commands/probe.js';
import { proxyCommand } from './commands/proxy.js';
import { rulesCommand } from './commands/rules.js';
import { runCommand } from './commands/run.js';
import { statusCommand } from './commands/status.js';
import { validateCommand } from './commands/validate.js';
import { EXIT } from './exit.js';
import { redactingIo, type Io } from './io.js';
import { VERSION } from '../version.js';

/** Builds the `canary` program; one file per command under commands/. */
export function buildProgram(io: Io): Command {
  const program = new Command('canary')
    .description('synthetic canary and chaos testing agent: probes endpoints on a schedule, exports Prometheus metrics')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .exitOverride();
  for (const command of [
    initCommand(io),
    runCommand(io),
    statusCommand(io),
    validateCommand(io),
    probeCommand(io),
    gateCommand(io),
    discoverCommand(io),
    coverageCommand(io),
    importCommand(io),
    rulesCommand(io),
    kubernetesCommand(io),
    chaosCommand(io),
    labCommand(io),
    proxyCommand(io),
    demoCommand(io),
  ]) {
    program.addCommand(inherit(command, program));
  }
  return program;
}

/** Commands built on their own do not inherit the program's exit and output handling; nested ones neither. */
function inherit(command: Command, parent: Command): Command {
  command.copyInheritedSettings(parent);
  for (const sub of command.commands) inherit(sub, command);
  return command;
}

/** Runs the program on argv (without node and script) and returns the exit code. */
export async function runCli(argv: readonly string[], given: Io): Promise<number> {
  const io = redactingIo(given);
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return io.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit through here with code 0; parse errors with 1, which we map to 2.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    throw err;
  }
}
