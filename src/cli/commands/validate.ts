import { Command } from 'commander';
import { loadExperiments } from '../../chaos/load.js';
import { configError, loadConfig } from '../../config/load.js';
import { displayPath, isCanaryError } from '../../errors.js';
import { EXIT } from '../exit.js';
import { DEFAULT_CONFIG, type Io } from '../io.js';

interface ValidateOptions {
  config: string;
  json?: boolean;
}

/** `canary validate`: loads the config and every file it names; reports every problem. */
export function validateCommand(io: Io): Command {
  return new Command('validate')
    .description('validate the agent config and every probe and chaos experiment file it names')
    .option('-c, --config <file>', 'agent config file', DEFAULT_CONFIG)
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExample:\n  canary validate --config config/agent.yaml\n\nExit: 0 valid, 2 invalid (every problem printed as FILE:LINE:COL: key.path: message).')
    .action(async (options: ValidateOptions) => {
      io.exitCode = await validate(options, io);
    });
}

async function validate(options: ValidateOptions, io: Io): Promise<number> {
  try {
    const config = await loadConfig(options.config);
    const chaos = await loadExperiments(config);
    if (chaos.problems.length > 0) throw configError(chaos.problems);
    const summary = {
      valid: true,
      file: displayPath(config.file),
      checks: config.checks.length,
      probeFiles: config.probes.files.map(displayPath),
      experiments: chaos.experiments.map((e) => displayPath(e.file)),
    };
    if (options.json) io.out(JSON.stringify(summary, null, 2));
    else {
      const experiments = summary.experiments.length ? `, ${plural(summary.experiments.length, 'chaos experiment')}` : '';
      io.out(`${summary.file}: valid (${plural(summary.checks, 'check')}, ${plural(summary.probeFiles.length, 'probe file')}${experiments})`);
    }
    return EXIT.ok;
  } catch (err) {
    if (!isCanaryError(err, 'CANARY_ERR_CONFIG')) throw err;
    if (options.json) io.out(JSON.stringify({ valid: false, problems: err.problems }, null, 2));
    else io.err(`canary: ${err.message}`);
    return EXIT.usage;
  }
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
