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
