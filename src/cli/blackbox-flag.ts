/** `--blackbox-config`, shared by `run`, `validate` and `gate`. */
import type { Config } from '../config/types.js';
import { displayPath } from '../errors.js';

export const BLACKBOX_FLAG = '--blackbox-config <file>';

export const BLACKBOX_FLAG_HELP =
  "blackbox_exporter's configuration file: its modules are served on /probe beside modules: (overrides blackboxConfig)";

/** What `validate --json` tells about the blackbox file; nothing when none was read. */
export function blackboxSummary(config: Config): Record<string, unknown> {
  if (config.blackboxConfig === undefined) return {};
  return {
    modules: Object.keys(config.modules).length,
    blackbox: { file: displayPath(config.blackboxConfig), notProbeable: Object.keys(config.moduleRefusals ?? {}) },
    warnings: config.warnings ?? [],
  };
}
