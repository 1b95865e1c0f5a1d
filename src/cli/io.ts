import { readFile } from 'node:fs/promises';
import { displayPath } from '../errors.js';
import { redactText } from '../secrets/redact.js';

/** The default agent config path, relative to the working directory. */
export const DEFAULT_CONFIG = 'config/agent.yaml';

/** `--config` of the commands that read the agent config; no commander default, so a missing flag is seen. */
export const CONFIG_FLAG = ['-c, --config <file>', `agent config file (default: ${DEFAULT_CONFIG})`] as const;

/** A config file a command reads without `--config`, and why that one. */
export interface DefaultConfig {
  file: string;
  /** Said in parentheses: `the default`, `named by chaos/x.yaml`. */
  why: string;
}

/**
 * The config file to read: `--config` as given, else `fallback`, named on stderr (one line,
 * never on stdout, so `--json` stays one document) so nobody wonders which file was read.
 */
export function configPath(
  io: Io,
  flag: string | undefined,
  fallback: DefaultConfig = { file: DEFAULT_CONFIG, why: 'the default' },
): string {
  if (flag !== undefined) return flag;
  io.err(`canary: config: ${displayPath(fallback.file)} (${fallback.why}; --config to choose another)`);
  return fallback.file;
}

/** Where commands write; tests and the real binary pass their own. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Set by the command that ran; the binary exits with it. */
  exitCode: number;
}

export function processIo(): Io {
  return {
    out: (text) => process.stdout.write(`${redactText(text)}\n`),
    err: (text) => process.stderr.write(`${redactText(text)}\n`),
    exitCode: 0,
  };
}

/**
 * `io` whose output never carries a known secret value (secrets/registry.ts): every
 * command's text, `--json` and `validate` output included, goes through it.
 */
export function redactingIo(io: Io): Io {
  return {
    out: (text) => io.out(redactText(text)),
    err: (text) => io.err(redactText(text)),
    get exitCode() {
      return io.exitCode;
    },
    set exitCode(code: number) {
      io.exitCode = code;
    },
  };
}

/** A file's text, or undefined when there is none yet (a `--check` reports that as a difference). */
export async function readOrUndefined(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
