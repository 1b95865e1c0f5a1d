/**
 * One run of one check, top to bottom:
 *
 *   1. open its trace (when tracing is on)
 *   2. make its attempts, here or on a probe worker: each attempt probes, evaluates and
 *      judges (execute.ts), retries confirm a failure (retry.ts), and every attempt is
 *      published as `result.attempt` as it ends
 *   3. close the trace, which links the result to the exported spans
 *   4. publish the run's result as `result`: the exporters, the rolling windows and the
 *      log take it from the bus
 *
 * The scheduler decides when this runs and hands it a signal and a deadline; it never
 * sees what a run does.
 */
import type { ResolvedCheck } from '../config/types.js';
import type { ProbeContext } from '../probes/types.js';
import type { ProbeRegistry } from '../probes/registry.js';
import type { EventBus } from '../results/bus.js';
import type { CheckResult } from '../results/types.js';
import { executeWithRetries, type AttemptTrace } from './retry.js';
import type { ProbePool } from './workers/pool.js';

/** The spans of one run as the run sees them: the tracer in exporters/otel.ts makes them. */
export interface RunSpan extends AttemptTrace {
  /** W3C trace context the first attempt sends; absent when the check opts out. */
  readonly headers: Readonly<Record<string, string>> | undefined;
  /** Ends the spans from the result; the ids when the trace will be exported. */
  end(result: CheckResult): { traceId: string; spanId: string } | undefined;
}

/** What a run needs of a tracer. */
export interface RunTracing {
  begin(check: ResolvedCheck): RunSpan;
}

/** What the scheduler hands a run: when it must be over, and the signal aborted then. */
export interface RunWindow {
  signal: AbortSignal;
  /** Epoch ms; `signal` is aborted then. */
  deadline: number;
}

/** What {@link checkRunner} wires together. */
export interface RunnerDeps {
  /** Receives `result.attempt` per attempt and `result` per run. */
  bus: EventBus;
  /** Region of this agent, copied into every result. */
  region: string;
  /** The probes on this thread, used when there are no probe workers. */
  probes: ProbeRegistry;
  /** Probe workers (`probes.workers` above 0): attempts run there instead. */
  workers: ProbePool | undefined;
  /** The tracer, read at every run: tracing starts after the runner is made. */
  tracer: () => RunTracing | undefined;
}

/**
 * The function the scheduler calls for each run. A run reports failures as results; it
 * rejects only when it could not happen at all (a probe worker that died), which the
 * scheduler reports as `bus.error`.
 *
 * @example
 * const run = checkRunner({ bus, region: 'eu-west-1', probes, workers: undefined, tracer: () => undefined });
 * await run(check, { signal, deadline });
 */
export function checkRunner(deps: RunnerDeps): (check: ResolvedCheck, window: RunWindow) => Promise<void> {
  return async (check, window) => {
    const span = deps.tracer()?.begin(check);
    const result = await attempts(check, window, span, deps);
    const ref = span?.end(result);
    if (ref) {
      result.traceId = ref.traceId;
      result.spanId = ref.spanId;
    }
    deps.bus.emit('result', result);
  };
}

/** The run's attempts, on a probe worker or here; resolves with the deciding attempt. */
function attempts(
  check: ResolvedCheck,
  window: RunWindow,
  span: RunSpan | undefined,
  deps: RunnerDeps,
): Promise<CheckResult> {
  const ctx: ProbeContext = span?.headers
    ? { signal: window.signal, headers: span.headers }
    : { signal: window.signal };
  const run = { bus: deps.bus, trace: span, deadline: window.deadline };
  // Browser checks share one Chromium of the agent's, and their work is in its processes, not on a thread.
  if (deps.workers && check.kind !== 'browser') return deps.workers.run(check, { ...ctx, ...run });
  return executeWithRetries(check, deps.probes.get(check.kind), ctx, { ...run, region: deps.region });
}
