import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { EXIT } from './exit.js';

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

/** How a bug that no handler caught reached the process. */
export type FatalKind = 'unhandledRejection' | 'uncaughtException';

/** What {@link fatalHandler} needs; `exit` is there so the policy can be tested in isolation. */
export interface FatalPolicy {
  logger: Logger;
  /** The graceful stop (the same one a stop signal runs), so chaos in flight rolls back. */
  stop: () => Promise<void>;
  exit?: (code: number) => void;
}

/**
 * The process policy for an unhandled rejection or an uncaught exception: log one line
 * (`fatal`, the message, and the stack as a field: the event is rare, it is a bug of ours,
 * and the stack is what makes the report fixable), stop gracefully, then exit 1 so a
 * supervisor restarts the agent. A second one while stopping is logged only; a stop that
 * hangs is cut after 10 s, as after a stop signal.
 */
export function fatalHandler(policy: FatalPolicy): (kind: FatalKind, err: unknown) => void {
  const exit = policy.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  return (kind, err) => {
    const stack = err instanceof Error ? err.stack : undefined;
    policy.logger.fatal({ kind, error: errorMessage(err), stack, stopping }, 'unexpected error, stopping');
    if (stopping) return;
    stopping = true;
    setTimeout(() => exit(EXIT.failed), FORCED_EXIT_MS).unref();
    policy.stop().then(
      () => exit(EXIT.failed),
      (stopErr: unknown) => {
        policy.logger.error({ error: errorMessage(stopErr) }, 'stop after an unexpected error failed');
        exit(EXIT.failed);
      },
    );
  };
}

/** Installs {@link fatalHandler} on the process; the returned function removes it. */
export function onFatal(policy: FatalPolicy): () => void {
  const handle = fatalHandler(policy);
  const onRejection = (reason: unknown) => handle('unhandledRejection', reason);
  const onException = (err: Error) => handle('uncaughtException', err);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
