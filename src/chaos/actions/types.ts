/**
 * The one interface every call executor implements: one file per call kind (exec, http,
 * signal, spawn), dispatched on `kind` by `runCall` in `run-call.ts`.
 */
import type { Call, CallOutcome } from '../model/calls.js';

/** A call of one kind. */
export type CallOf<K extends Call['kind']> = Extract<Call, { kind: K }>;

/**
 * Runs calls of one kind. `run` never throws for a call that fails: it returns
 * `{ ok: false, error }`, so a journal can record the outcome whatever happened.
 */
export interface CallExecutor<K extends Call['kind']> {
  kind: K;
  /**
   * Runs `call` once.
   * @param signal - aborts the call (a halt); the outcome then says it was aborted.
   */
  run(call: CallOf<K>, signal: AbortSignal): Promise<CallOutcome>;
}

/** Milliseconds since `startedAt` (a `performance.now()` reading), rounded to 0.1 ms. */
export function elapsedMs(startedAt: number): number {
  return Math.round((performance.now() - startedAt) * 10) / 10;
}

/** The message of anything thrown, with its cause's message when it adds something. */
export function messageWithCause(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause.message : undefined;
  return cause !== undefined && cause !== err.message ? `${err.message}: ${cause}` : err.message;
}
