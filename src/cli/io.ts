import { readFile } from 'node:fs/promises';

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
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    exitCode: 0,
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
