import { Command } from 'commander';
import { loadExperiment, loadExperiments } from '../../../chaos/load.js';
import type { Experiment } from '../../../chaos/model/experiment.js';
import { displayPath, isCanaryError, type Problem } from '../../../errors.js';
import { configError } from '../../../config/load.js';
import { EXIT } from '../../exit.js';
import type { Config } from '../../../config/types.js';
import { DEFAULT_CONFIG, type Io } from '../../io.js';
import { EXPERIMENT_CONFIG_OPTION, experimentConfig, loadChaosConfig } from './common.js';

interface ValidateOptions {
  config?: string;
  json?: boolean;
}

/** `canary chaos validate [FILE...]`: the named experiments, or every one in `chaos.files`. */
export function chaosValidateCommand(io: Io): Command {
  return new Command('validate')
    .description('validate experiments (the files given, or every file of chaos.files) against the config')
    .argument('[files...]', 'experiment files; default: chaos.files of the config')
    .option(...EXPERIMENT_CONFIG_OPTION)
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  canary chaos validate chaos/*.yaml   # each against the config it names\n\nExit: 0 valid, 2 invalid (every problem printed as FILE:LINE:COL: key.path: message).',
    )
    .action(async (files: string[], options: ValidateOptions) => {
      const { experiments, problems } =
        files.length === 0
          ? await loadExperiments(await loadChaosConfig(io, options.config))
          : await loadFiles(files, options.config, io);
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

/** Each file against `--config`, else the config it names (else the default); each config read once. */
async function loadFiles(
  files: readonly string[],
  flag: string | undefined,
  io: Io,
): Promise<{ experiments: Experiment[]; problems: Problem[] }> {
  const configs = new Map<string, Config>();
  const experiments: Experiment[] = [];
  const problems: Problem[] = [];
  for (const file of files) {
    const named = flag === undefined ? await experimentConfig(file) : undefined;
    const key = flag ?? named?.file ?? DEFAULT_CONFIG;
    const config = configs.get(key) ?? (await loadChaosConfig(io, flag, named));
    configs.set(key, config);
    try {
      experiments.push(await loadExperiment(file, config));
    } catch (err) {
      if (!isCanaryError(err, 'CANARY_ERR_CONFIG')) throw err;
      problems.push(...(err.problems ?? []));
    }
  }
  return { experiments, problems };
}
