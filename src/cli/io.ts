import { readFile } from 'node:fs/promises';
import { redactText } from '../secrets/redact.js';

/** The default agent config path, relative to the working directory. */
export const DEFAULT_CONFIG = 'config/agent.yaml';

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
