import type { Logger } from '../log.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Past this after the first stop signal, the process exits even if something hangs. */
const FORCED_EXIT_MS = 10_000;

/**
 * Resolves on the first SIGINT or SIGTERM. A second signal, or a stop that takes longer
 * than 10 s, exits at once with code 1: an operator pressing Ctrl-C twice means it.
 */
export function untilSignal(logger: Logger): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      const force = (why: string) => {
        logger.error({ why }, 'forced exit');
        process.exit(1);
      };
      process.once('SIGINT', () => force('second signal'));
      process.once('SIGTERM', () => force('second signal'));
      setTimeout(() => force(`stop took longer than ${FORCED_EXIT_MS / 1000}s`), FORCED_EXIT_MS).unref();
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/**
 * Calls `handler` on every SIGHUP until the returned function is called. Listening also
 * stops Node's default of exiting on SIGHUP, so a reload never kills the agent.
 */
export function onHangup(handler: () => void): () => void {
  const listener = () => handler();
  process.on('SIGHUP', listener);
  return () => process.off('SIGHUP', listener);
}
