import { Command } from 'commander';
import { loadExperiment, loadExperiments } from '../../../chaos/load.js';
import type { Experiment } from '../../../chaos/model/experiment.js';
import { displayPath, isCanaryError, type Problem } from '../../../errors.js';
import { configError } from '../../../config/load.js';
import { EXIT } from '../../exit.js';
import type { Io } from '../../io.js';
import { CONFIG_OPTION, loadChaosConfig } from './common.js';

interface ValidateOptions {
  config: string;
  json?: boolean;
}

/** `canary chaos validate [FILE...]`: the named experiments, or every one in `chaos.files`. */
export function chaosValidateCommand(io: Io): Command {
  return new Command('validate')
    .description('validate experiments (the files given, or every file of chaos.files) against the config')
    .argument('[files...]', 'experiment files; default: chaos.files of the config')
    .option(...CONFIG_OPTION)
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  canary chaos validate chaos/stop-one-backend.yaml --config config/agent.yaml\n\nExit: 0 valid, 2 invalid (every problem printed as FILE:LINE:COL: key.path: message).',
    )
    .action(async (files: string[], options: ValidateOptions) => {
      const config = await loadChaosConfig(options.config);
      const experiments: Experiment[] = [];
      const problems: Problem[] = [];
      if (files.length === 0) {
        const loaded = await loadExperiments(config);
        experiments.push(...loaded.experiments);
        problems.push(...loaded.problems);
      } else {
        for (const file of files) {
          try {
            experiments.push(await loadExperiment(file, config));
          } catch (err) {
            if (!isCanaryError(err, 'CANARY_ERR_CONFIG')) throw err;
            problems.push(...(err.problems ?? []));
          }
        }
      }
      if (problems.length > 0) {
        const error = configError(problems);
        if (options.json) io.out(JSON.stringify({ valid: false, problems: error.problems }, null, 2));
        else io.err(`canary: ${error.message}`);
        io.exitCode = EXIT.usage;
        return;
      }
      const summary = experiments.map((e) => ({ name: e.name, file: displayPath(e.file), steps: e.method.length }));
      if (options.json) io.out(JSON.stringify({ valid: true, experiments: summary }, null, 2));
      else
        io.out(
          summary.length
            ? summary.map((e) => `${e.file}: valid (${e.name}, ${e.steps} steps)`).join('\n')
            : 'no experiments (chaos.files is empty)',
        );
      io.exitCode = EXIT.ok;
    });
}
