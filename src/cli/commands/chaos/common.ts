/** What the `canary chaos` subcommands share: operator identity, config, logs on stderr. */
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { interpolateDocument } from '../../../config/env.js';
import { loadConfig } from '../../../config/load.js';
import type { Config } from '../../../config/types.js';
import { parseYaml, yamlData } from '../../../config/yaml.js';
import { displayPath } from '../../../errors.js';
import { createLogger, defaultLogFormat, type Logger } from '../../../log.js';
import { DEFAULT_CONFIG, configPath, type DefaultConfig, type Io } from '../../io.js';

export const CONFIG_OPTION = [
  '-c, --config <file>',
  `agent config file (chaos.enabled, chaos.stateDir, the checks; default: ${DEFAULT_CONFIG})`,
] as const;

/** `--config` of `chaos run` and `chaos validate`: the experiment's own `config:` comes before the default. */
export const EXPERIMENT_CONFIG_OPTION = [
  '-c, --config <file>',
  `agent config file (default: the one the experiment names in config:, else ${DEFAULT_CONFIG})`,
] as const;

/** The person running a command: `--operator`, else the OS user. Recorded in the journal and the audit log. */
export function operatorName(flag: string | undefined): string {
  if (flag) return flag;
  try {
    return userInfo().username;
  } catch {
    // No passwd entry (some containers): the variable, else a marker that is honest about it.
    return process.env.USER ?? process.env.LOGNAME ?? `uid-${process.getuid?.() ?? 'unknown'}`;
  }
}

/** Logs on stderr (readable on a terminal, else JSON), so stdout stays the human summary or the `--json` document. */
export function stderrLogger(level: 'warn' | 'info' = 'warn'): Logger {
  return createLogger({ level, fd: 2, format: defaultLogFormat(2) });
}

/** The agent config of a chaos command: `--config`, else `fallback` (the default file), named on stderr. */
export async function loadChaosConfig(io: Io, flag: string | undefined, fallback?: DefaultConfig): Promise<Config> {
  return loadConfig(configPath(io, flag, fallback));
}

/**
 * The config an experiment file names in `config:` (relative to the file), as the default
 * of `chaos run` and `chaos validate`; undefined when it names none, or cannot be read or
 * parsed: the default config is used then, and the experiment's load reports what is wrong.
 */
export async function experimentConfig(file: string): Promise<DefaultConfig | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  const { source, problems } = parseYaml(resolve(file), text);
  if (problems.length > 0) return undefined;
  // A variable unset elsewhere in the file is the load's to report; `config:` may still be read.
  interpolateDocument(source, process.env);
  const value = (yamlData(source, {}).value as { config?: unknown } | null)?.config;
  if (typeof value !== 'string' || value === '') return undefined;
  return { file: resolve(dirname(resolve(file)), value), why: `named by ${displayPath(resolve(file))}` };
}
