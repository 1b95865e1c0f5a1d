import type { ParsedAgentConfig } from './schema/agent.js';
import type { HttpCheck } from './schema/check.js';

/** Where a check was defined, for messages and logs. */
export interface CheckSource {
  file: string;
  line: number;
  col: number;
}

/** When a check runs: every N ms from a random offset, or on a cron expression. */
export type Schedule = { kind: 'interval'; everyMs: number } | { kind: 'cron'; expression: string };

type Resolved<C> = Omit<C, 'interval' | 'schedule' | 'timeout'> & {
  /** When it runs, after `probes.defaults` was applied. */
  schedule: Schedule;
  /** Per-attempt timeout in ms, after `probes.defaults` was applied. */
  timeoutMs: number;
  /** Where it was written. */
  source: CheckSource;
};

/** An HTTP check ready to run: defaults applied, file paths absolute. */
export type ResolvedHttpCheck = Resolved<HttpCheck>;

/** Any check ready to run. Grows a member per probe kind. */
export type ResolvedCheck = ResolvedHttpCheck;

/**
 * The loaded configuration: validated, defaults applied, paths absolute, frozen. The
 * agent is built from this and nothing else.
 */
export interface Config {
  /** Absolute path of the agent config file. */
  file: string;
  agent: ParsedAgentConfig['agent'];
  server: ParsedAgentConfig['server'];
  probes: Omit<ParsedAgentConfig['probes'], 'files'> & { files: string[] };
  /** Inline checks and every probe file's checks, in file order. */
  checks: readonly ResolvedCheck[];
  /** `stateDir` absolute; `files` as written (globs relative to `file`'s directory). */
  chaos: ParsedAgentConfig['chaos'];
  exporters: ParsedAgentConfig['exporters'];
}
