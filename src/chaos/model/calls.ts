/**
 * What actions do: the calls they make, how each went, and the planned faults that pair
 * an applying call with the call that reverts it.
 */

/**
 * A call an action makes, fully resolved: serialisable, so it can be journaled before it
 * runs and replayed by another process. Exactly what the audit log records.
 */
export type Call =
  | { kind: 'exec'; argv: string[]; env: Record<string, string>; timeoutMs: number }
  | {
      kind: 'http';
      method: string;
      url: string;
      headers: Record<string, string>;
      body?: string;
      expectStatus: number[];
      timeoutMs: number;
    }
  | { kind: 'signal'; pid: number; pidFile: string; signal: NodeJS.Signals; startTicks?: number }
  | { kind: 'spawn'; argv: string[]; env: Record<string, string>; cwd?: string; pidFile: string; timeoutMs: number };

/*
 * `startTicks` of a signal call: when the process started (see processStartTicks), taken
 * when the fault is planned, so a later signal never reaches a process that merely reuses
 * the pid. Absent where /proc is not available.
 */

/** What running a call gave. A failed call is a value, not an exception. */
export interface CallOutcome {
  ok: boolean;
  /** Output worth keeping (stdout/stderr tail, HTTP status and body start), at most a few KiB. */
  output: string;
  /** Why not ok. */
  error?: string;
  durationMs: number;
}

/** One fault on one instance: the call that applies it and the one that reverts it. */
export interface PlannedFault {
  /** The step it comes from, e.g. `method[0]`. */
  step: string;
  /** Instance name, when the step has a target. */
  instance?: string;
  apply: Call;
  /** Absent when nothing can undo it (a SIGKILL, an exec without `revert`). */
  revert?: Call;
}
