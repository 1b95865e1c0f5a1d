import { Command } from 'commander';
import { loadExperiments } from '../../chaos/load.js';
import { configError, loadConfig } from '../../config/load.js';
import type { Config, ResolvedCheck } from '../../config/types.js';
import { ServiceDiscovery } from '../../discovery/sd/service-discovery.js';
import { CanaryError, displayPath, formatProblem, isCanaryError, type Problem } from '../../errors.js';
import { findChromium, noChromiumMessage } from '../../probes/browser/chromium.js';
import { BLACKBOX_FLAG, BLACKBOX_FLAG_HELP, blackboxSummary } from '../blackbox-flag.js';
import { indexChecks } from '../../scheduler/plan.js';
import { loadWebConfig } from '../../server/index.js';
import { EXIT } from '../exit.js';
import { CONFIG_FLAG, configPath, type Io } from '../io.js';

interface ValidateOptions {
  config?: string;
  blackboxConfig?: string;
  json?: boolean;
}

/** `canary validate`: loads the config and every file it names; reports every problem. */
export function validateCommand(io: Io): Command {
  return new Command('validate')
    .description(
      'validate the agent config, every probe and chaos experiment file it names, and the file_sd files of its discovery sources',
    )
    .option(...CONFIG_FLAG)
    .option(BLACKBOX_FLAG, BLACKBOX_FLAG_HELP)
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  canary validate --config config/agent.yaml\n  canary validate --blackbox-config /etc/blackbox_exporter/blackbox.yml\n\n' +
        'Exit: 0 valid, 2 invalid (every problem printed as FILE:LINE:COL: key.path: message).\n' +
        'Warnings (blackbox fields canary cannot honour) are printed the same way and do not fail validation.',
    )
    .action(async (options: ValidateOptions) => {
      io.exitCode = await validate(options, io);
    });
}

/** What the discovery sources give now: file_sd files as written; http_sd is never fetched here. */
interface DiscoverySummary {
  /** Checks the file_sd files give now. */
  checks: number;
  files: string[];
  notFetched: string[];
}

/**
 * Expands the file_sd files that exist now into checks, through the same code the agent
 * runs, without starting any http_sd refresher (that needs the network and a running agent).
 */
async function checkDiscovery(config: Config): Promise<{ summary: DiscoverySummary; problems: Problem[] }> {
  const discovery = new ServiceDiscovery({ offer: () => Promise.resolve(false), failed: () => undefined });
  const built = await discovery.build(config);
  const summary = {
    checks: built.checks.length,
    files: built.files.map(displayPath),
    notFetched: config.probes.discovery.filter((s) => s.httpSd !== undefined).map((s) => s.name),
  };
  return { summary, problems: [...built.problems, ...nameClashes(config.checks, built.checks)] };
}

/** A discovered check named like a written one (or like another source's) would fail the agent's start. */
function nameClashes(written: readonly ResolvedCheck[], discovered: readonly ResolvedCheck[]): Problem[] {
  try {
    indexChecks([...written, ...discovered]);
    return [];
  } catch (err) {
    if (!(err instanceof CanaryError)) throw err;
    const at = discovered.find((c) => err.message.includes(`"${c.name}"`))?.source;
    return [{ file: at?.file ?? '', line: at?.line ?? 0, col: at?.col ?? 0, path: '', message: err.message }];
  }
}

/** Browser checks that would fail every run: no Chromium where `probes.browser.chromium` (or PATH) says. */
function browserProblems(config: Config): Problem[] {
  const checks = config.checks.filter((c) => c.kind === 'browser' && c.enabled);
  if (checks.length === 0 || findChromium(config.probes.browser.chromium) !== undefined) return [];
  const message = noChromiumMessage(config.probes.browser.chromium);
  return checks.map((c) => ({ file: c.source.file, line: c.source.line, col: c.source.col, path: '', message }));
}

/** What is wrong with `server.webConfig` and the certificate files it names; nothing when it is unset. */
async function webConfigProblems(config: Config): Promise<readonly Problem[]> {
  if (config.server.webConfig === undefined) return [];
  try {
    await loadWebConfig(config.server.webConfig);
    return [];
  } catch (err) {
    if (!isCanaryError(err, 'CANARY_ERR_CONFIG')) throw err;
    return err.problems;
  }
}

function summaryLine(
  summary: { file: string; checks: number; probeFiles: string[]; experiments: string[]; discovery: DiscoverySummary },
  sources: number,
): string {
  const experiments = summary.experiments.length ? `, ${plural(summary.experiments.length, 'chaos experiment')}` : '';
  const discovered =
    sources > 0 ? `, ${plural(summary.discovery.checks, 'check')} from ${plural(sources, 'discovery source')}` : '';
  return `${summary.file}: valid (${plural(summary.checks, 'check')}, ${plural(summary.probeFiles.length, 'probe file')}${experiments}${discovered})`;
}

async function validate(options: ValidateOptions, io: Io): Promise<number> {
  try {
    const config = await loadConfig(configPath(io, options.config), { blackboxConfig: options.blackboxConfig });
    const chaos = await loadExperiments(config);
    const { summary: discovery, problems } = await checkDiscovery(config);
    problems.push(...(await webConfigProblems(config)), ...browserProblems(config));
    if (chaos.problems.length + problems.length > 0) throw configError([...chaos.problems, ...problems]);
    const summary = {
      valid: true,
      file: displayPath(config.file),
      checks: config.checks.length,
      probeFiles: config.probes.files.map(displayPath),
      experiments: chaos.experiments.map((e) => displayPath(e.file)),
      discovery,
      ...blackboxSummary(config),
    };
    if (options.json) io.out(JSON.stringify(summary, null, 2));
    else {
      for (const warning of config.warnings ?? []) io.err(`canary: warning: ${formatProblem(warning)}`);
      io.out(summaryLine(summary, config.probes.discovery.length));
      for (const name of discovery.notFetched) io.out(`http_sd source ${name} not fetched`);
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
