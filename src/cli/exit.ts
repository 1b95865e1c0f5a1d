import { ERROR_CODES, isCanaryError } from '../errors.js';

/** Exit codes, the same for every command (README.md, "Commands"). */
export const EXIT = {
  /** Success: valid config, probe passed, agent stopped cleanly. */
  ok: 0,
  /** The thing under test failed: a probe failed, an experiment deviated, the agent could not run. */
  failed: 1,
  /** Bad input: invalid config, invalid flags or arguments. Nothing was touched. */
  usage: 2,
} as const;

/** Maps an error to the exit code and the text for stderr. */
export function exitFor(err: unknown): { code: number; text: string } {
  if (isCanaryError(err)) {
    const code =
      err.code === ERROR_CODES.config || err.code === ERROR_CODES.usage || err.code === ERROR_CODES.env
        ? EXIT.usage
        : EXIT.failed;
    return { code, text: `canary: ${err.message}` };
  }
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return { code: EXIT.failed, text: `canary: unexpected error (please report it): ${detail}` };
}

/** A usage error: bad flag values and arguments, exit 2 (defined beside CanaryError, for the layers below the CLI). */
export { usageError } from '../errors.js';
