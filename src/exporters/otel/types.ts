/** What the tracer hands out: the shapes the agent, a run and chaos hold. */
import type { ResolvedCheck } from '../../config/types.js';
import type { Logger } from '../../log.js';
import type { EventBus } from '../../results/bus.js';
import type { CheckResult } from '../../results/types.js';

/** The ids of an exported run: what exemplars and logs link to. */
export interface TraceRef {
  traceId: string;
  spanId: string;
}

/** The spans of one run, open while the probe runs. */
export interface RunTrace {
  /** W3C trace context for the probe to send; absent when the check opts out. */
  readonly headers: Readonly<Record<string, string>> | undefined;
  /**
   * Closes the CLIENT span of a failed attempt and opens the next attempt's under the same
   * root; returns the headers the next attempt sends.
   */
  retry(failed: CheckResult): Readonly<Record<string, string>> | undefined;
  /** Ends the spans from the result; returns the ids when the trace will be exported. */
  end(result: CheckResult): TraceRef | undefined;
}

/** A span for things other than check runs (chaos runs and their actions). */
export interface SpanHandle {
  /** A child span of this one. */
  child(name: string, attributes: Record<string, string | number | boolean>): SpanHandle;
  /** Ends the span; an error text sets status ERROR. */
  end(error?: string): void;
}

/** What the agent holds when tracing is on. */
export interface RunTracer {
  begin(check: ResolvedCheck): RunTrace;
  /** A root span that is always exported (chaos runs are rare and always worth keeping). */
  startSpan(name: string, attributes: Record<string, string | number | boolean>): SpanHandle;
  /** Exports what is queued within `deadlineMs`, then stops; spans left are counted as dropped. */
  shutdown(deadlineMs: number): Promise<void>;
}

export interface TracerDeps {
  region: string;
  datacenter?: string;
  labels: Readonly<Record<string, string>>;
  version: string;
  bus: EventBus;
  logger: Logger;
  /** Random numbers for the success ratio; tests pass their own. */
  random?: () => number;
}
