import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { EXIT } from './exit.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Past this after the first stop signal, the process exits even if something hangs. */
export const FORCED_EXIT_MS = 10_000;

/** How often a stop that waits for a rollback says how long it has waited. */
const PROGRESS_EVERY_MS = 1_000;

/**
 * Work a stop must let finish even when it takes longer than the usual 10 s: a chaos run
 * rolling back. Aborting it half-way would leave its faults in place until someone runs
 * `canary chaos recover`.
 */
export interface PendingWork {
  /** For the log: "waiting for chaos rollback of <experiment>". */
  what: string;
  /** The longest it may take; the forced exit moves out by this much. */
  budgetMs: number;
  /** Whether it is still going. */
  active: () => boolean;
}

/** What is in progress when a stop begins, if anything a stop must wait for. */
export type PendingProbe = () => PendingWork | undefined;

/**
 * Arms the forced exit of a stop: after 10 s, or after the pending work's budget and 10 s
 * more, and logs the wait for that work each second while it lasts. Timers are unref'd: a
 * stop that ends sooner exits without waiting for them.
 */
function armStopDeadline(logger: Logger, pending: PendingProbe | undefined, force: (why: string) => void): void {
  const work = pending?.();
  const limitMs = FORCED_EXIT_MS + (work?.budgetMs ?? 0);
  setTimeout(() => force(`stop took longer than ${limitMs / 1000}s`), limitMs).unref();
  if (!work) return;
  const started = Date.now();
  const budget = Math.round(work.budgetMs / 1000);
  const progress = setInterval(() => {
    if (!work.active()) return clearInterval(progress);
    const waited = Math.round((Date.now() - started) / 1000);
    logger.info({ waitedS: waited, budgetS: budget }, `waiting for ${work.what}: ${waited} s of ${budget} s`);
  }, PROGRESS_EVERY_MS);
  progress.unref();
}

/** Why a second signal exits, naming the work it cuts short. */
function secondSignal(pending: PendingProbe | undefined): string {
  const work = pending?.();
  if (!work?.active()) return 'second signal';
  return `second signal: ${work.what} cut short, its faults may still be in place (canary chaos recover reverts them)`;
}

/**
 * Resolves on the first SIGINT or SIGTERM. A second signal, or a stop that takes longer
 * than 10 s, exits at once with code 1: an operator pressing Ctrl-C twice means it. When
 * `pending` names work in progress (a chaos rollback), the stop may take that work's budget
 * on top, and says each second how long it has waited.
 */
export function untilSignal(logger: Logger, pending?: PendingProbe): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      const force = (why: string) => {
        logger.error({ why }, 'forced exit');
        process.exit(1);
      };
      process.once('SIGINT', () => force(secondSignal(pending)));
      process.once('SIGTERM', () => force(secondSignal(pending)));
      armStopDeadline(logger, pending, force);
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
  /** Work the stop waits for beyond 10 s, as after a stop signal. */
  pending?: PendingProbe;
  exit?: (code: number) => void;
}

/**
 * The process policy for an unhandled rejection or an uncaught exception: log one line
 * (`fatal`, the message, and the stack as a field: the event is rare, it is a bug of ours,
 * and the stack is what makes the report fixable), stop gracefully, then exit 1 so a
 * supervisor restarts the agent. A second one while stopping is logged only; a stop that
 * hangs is cut after 10 s (plus a pending rollback's budget), as after a stop signal.
 */
export function fatalHandler(policy: FatalPolicy): (kind: FatalKind, err: unknown) => void {
  const exit = policy.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  return (kind, err) => {
    const stack = err instanceof Error ? err.stack : undefined;
    policy.logger.fatal({ kind, error: errorMessage(err), stack, stopping }, 'unexpected error, stopping');
    if (stopping) return;
    stopping = true;
    armStopDeadline(policy.logger, policy.pending, (why) => {
      policy.logger.error({ why }, 'forced exit');
      exit(EXIT.failed);
    });
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
