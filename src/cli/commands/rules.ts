import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import { displayPath, isCanaryError } from '../../errors.js';
import { buildRuleGroups, renderRuleFile, sloChecks } from '../../slo/rules.js';
import { EXIT } from '../exit.js';
import { CONFIG_FLAG, configPath, readOrUndefined, type Io } from '../io.js';

interface GenerateOptions {
  config?: string;
  out?: string;
  check?: boolean;
  json?: boolean;
}

/** `canary rules …`: Prometheus rules made from the config. */
export function rulesCommand(io: Io): Command {
  return new Command('rules')
    .description('Prometheus rules made from the config: generate')
    .addCommand(rulesGenerateCommand(io));
}

/** `canary rules generate`: SLO recording and burn-rate alerting rules from the checks' `slo:`. */
export function rulesGenerateCommand(io: Io): Command {
  return new Command('generate')
    .description(
      "write Prometheus SLO rules (error ratios, multi-window burn-rate alerts) from the checks' slo settings",
    )
    .option(...CONFIG_FLAG)
    .option('-o, --out <file>', 'write the rules to this file instead of printing them')
    .option('--check', 'compare with the file given by --out instead of writing it; exit 1 when it differs (for CI)')
    .option('--json', 'print the rule groups (or, with --out, a summary) as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  canary rules generate --config config/agent.yaml\n' +
        '  canary rules generate --config config/agent.yaml --out deploy/prometheus/rules/canary-slo.yml\n' +
        '  canary rules generate --config config/agent.yaml --out deploy/prometheus/rules/canary-slo.yml --check\n\n' +
        'Burn-rate factors follow the SRE workbook (2% of the budget in 1h, 5% in 6h, 10% in 1d and in 3d),\n' +
        "scaled to each check's slo.window: 14.4, 6, 3 and 1 for 30d.\n\n" +
        'Exit: 0 written, printed or up to date; 1 --check found a difference; 2 invalid config or flags.',
    )
    .action(async (options: GenerateOptions) => {
      io.exitCode = await generate(options, io);
    });
}

async function generate(options: GenerateOptions, io: Io): Promise<number> {
  if (options.check && !options.out) {
    io.err('canary: --check needs --out FILE: the rule file to compare with');
    return EXIT.usage;
  }
  const config = await loadConfig(configPath(io, options.config)).catch((err: unknown) => {
    if (!isCanaryError(err, 'CANARY_ERR_CONFIG')) throw err;
    io.err(`canary: ${err.message}`);
    return undefined;
  });
  if (!config) return EXIT.usage;
  const checks = sloChecks(config.checks);
  const source = displayPath(config.file);
  const text = renderRuleFile(checks, source);
  if (!options.out) {
    io.out(options.json ? JSON.stringify({ groups: buildRuleGroups(checks) }, null, 2) : text.trimEnd());
    return EXIT.ok;
  }
  const summary = { file: options.out, config: source, checks: checks.map((c) => c.name).sort() };
  if (options.check) {
    const upToDate = (await readOrUndefined(options.out)) === text;
    if (options.json) io.out(JSON.stringify({ ...summary, upToDate }, null, 2));
    else if (upToDate) io.out(`${options.out}: up to date with ${source}`);
    else
      io.err(
        `canary: ${options.out} differs from the rules ${source} makes; run: canary rules generate --config ${source} --out ${options.out}`,
      );
    return upToDate ? EXIT.ok : EXIT.failed;
  }
  await mkdir(dirname(options.out), { recursive: true });
  await writeFile(options.out, text);
  if (options.json) io.out(JSON.stringify({ ...summary, written: true }, null, 2));
  else io.out(`${options.out}: SLO rules for ${checks.length} check${checks.length === 1 ? '' : 's'} from ${source}`);
  return EXIT.ok;
}
