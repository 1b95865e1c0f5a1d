/** What the `canary chaos` subcommands share: operator identity, config, logs on stderr. */
import { userInfo } from 'node:os';
import { loadConfig } from '../../../config/load.js';
import type { Config } from '../../../config/types.js';
import { createLogger, defaultLogFormat, type Logger } from '../../../log.js';
import { DEFAULT_CONFIG } from '../../io.js';

export const CONFIG_OPTION = [
  '-c, --config <file>',
  'agent config file (chaos.enabled, chaos.stateDir, the checks)',
  DEFAULT_CONFIG,
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

export async function loadChaosConfig(file: string): Promise<Config> {
  return loadConfig(file);
}
