/**
 * What the agent's thread and its probe workers say to each other. Checks cross once (by
 * id, when first run); a run crosses as ids and a deadline, and each attempt's result comes
 * back as it ends. Messages on one port arrive in order, so a check is always known to its
 * worker before its first run, and dropped only after every run posted before the drop.
 */
import type { ResolvedCheck } from '../../config/types.js';
import type { CheckResult } from '../../results/types.js';

/** What a worker is started with. */
export interface WorkerSetup {
  /** The agent's region, copied into every result. */
  region: string;
  /** `redact.queryParams` of the config: the worker's redirect messages redact them too. */
  secretQueryParams: string[];
}

/** An abort reason, as names and text: the DOMException is made again on the other side. */
export interface AbortReason {
  name: string;
  message: string;
}

/** Main thread to worker. */
export type ToWorker =
  | { type: 'add'; id: number; check: ResolvedCheck }
  | { type: 'drop'; ids: number[] }
  | { type: 'run'; run: number; check: number; deadline: number; headers?: Readonly<Record<string, string>> }
  | { type: 'abort'; run: number; reason: AbortReason }
  | { type: 'headers'; run: number; headers?: Readonly<Record<string, string>> }
  | { type: 'close' };

/** Worker to main thread. */
export type FromWorker =
  /** An attempt that may not be the run's last ended (a failure with retries left). */
  | { type: 'attempt'; run: number; result: CheckResult }
  /** The run wants trace headers for its next attempt (only when it was given some). */
  | { type: 'retry'; run: number }
  /**
   * The run ended: with its last attempt, or without when that attempt was already posted
   * (a failure the run had no time left to retry). One message for most runs.
   */
  | { type: 'done'; run: number; result?: CheckResult }
  /** A run could not start: a bug (the check was never sent, or the kind has no probe). */
  | { type: 'failed'; run: number; message: string }
  /** The worker has loaded its probes and takes runs. */
  | { type: 'ready' }
  /** The worker released its probes' connections and is about to exit. */
  | { type: 'closed' };

/** The reason as it can cross a port. */
export function portableReason(reason: unknown): AbortReason {
  if (reason instanceof Error || reason instanceof DOMException) return { name: reason.name, message: reason.message };
  return { name: 'AbortError', message: String(reason) };
}
