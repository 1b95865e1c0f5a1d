import type { ResolvedCheck } from '../config/types.js';
import type { Observation } from '../results/types.js';

/** What a probe gets besides the check: cancellation and extra request headers. */
export interface ProbeContext {
  /** Aborted when the attempt times out or the agent stops; the probe must give up promptly. */
  signal: AbortSignal;
  /** Headers added to outgoing requests (trace context); probes that cannot carry headers ignore them. */
  headers?: Readonly<Record<string, string>>;
}

/**
 * One probe kind. `run` never throws for a failing target: it returns an Observation with
 * `ok: false` and a reason. It throws only on bugs.
 */
export interface Probe<C extends ResolvedCheck = ResolvedCheck> {
  /** The `kind` value in the config that selects this probe. */
  readonly kind: C['kind'];
  run(check: C, ctx: ProbeContext): Promise<Observation>;
  /** Releases pooled resources (kept-alive connections). */
  close?(): Promise<void>;
}
