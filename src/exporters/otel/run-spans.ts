/**
 * The spans of one check run: a root `probe <check>` span with one CLIENT child per attempt.
 * Attempts stay open until the run's verdict, so the keep decision covers the whole trace.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { ResolvedCheck } from '../../config/types.js';
import type { CheckResult } from '../../results/types.js';
import {
  clientSpanName,
  phaseEvents,
  requestAttributes,
  responseAttributes,
  runAttributes,
  traceStateValue,
  verdictAttributes,
} from './attributes.js';
import type { KeepFailuresProcessor } from './batch.js';
import { browserEvents } from './browser-attributes.js';
import { flowStepEvents, websocketPhaseEvents } from './kind-attributes.js';
import type { RunTrace, TraceRef } from './types.js';

/** What every run's spans share. */
export interface RunSpanDeps {
  tracer: Tracer;
  processor: KeepFailuresProcessor;
  /** The agent's region, in `tracestate`. */
  region: string;
  /** Whether to keep a successful run of one attempt (`successSampleRatio`). */
  sampleSuccess: () => boolean;
}

/** One attempt's CLIENT span, held open until the run's keep decision. */
interface Attempt {
  span: Span;
  startMs: number;
  /** When the attempt ended, from its result's duration. */
  endMs: number;
  headers: Readonly<Record<string, string>> | undefined;
}

/** Epoch milliseconds with sub-millisecond precision, on the SDK's own clock. */
function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Opens the run's root span and its first attempt's. */
export function beginRun(deps: RunSpanDeps, check: ResolvedCheck): RunTrace {
  const startMs = nowMs();
  const root = deps.tracer.startSpan(
    `probe ${check.name}`,
    { kind: SpanKind.INTERNAL, startTime: startMs, attributes: runAttributes(check) },
    ROOT_CONTEXT,
  );
  const attempts = [startAttempt(deps, check, root, startMs)];
  return {
    headers: attempts[0]?.headers,
    retry(failed) {
      const current = attempts[attempts.length - 1];
      if (current) finishAttempt(current, failed);
      const next = startAttempt(deps, check, root, nowMs());
      attempts.push(next);
      return next.headers;
    },
    end: (result) => endRun(deps, root, attempts, result),
  };
}

/** One attempt's CLIENT span under `root`, and the trace headers that point at it. */
function startAttempt(deps: RunSpanDeps, check: ResolvedCheck, root: Span, startMs: number): Attempt {
  const span = deps.tracer.startSpan(
    clientSpanName(check),
    { kind: SpanKind.CLIENT, startTime: startMs, attributes: requestAttributes(check) },
    trace.setSpan(ROOT_CONTEXT, root),
  );
  const { traceId, spanId } = span.spanContext();
  // Sampled is always set: the service cannot wait for our verdict, and a failed run,
  // which we always keep, must find the service's side recorded too.
  const headers =
    check.kind === 'http' && check.http.traceContext
      ? { traceparent: `00-${traceId}-${spanId}-01`, tracestate: `canary=${traceStateValue(check.name, deps.region)}` }
      : undefined;
  return { span, startMs, headers, endMs: startMs };
}

/** Writes an attempt's result on its span; ending it waits for the run's keep decision. */
function finishAttempt(attempt: Attempt, result: CheckResult): void {
  attempt.endMs = attempt.startMs + result.durationSeconds * 1000;
  attempt.span.setAttributes({ ...responseAttributes(result), 'canary.attempt': result.attempt });
  const start = attempt.startMs;
  for (const event of [
    ...phaseEvents(result, start),
    ...flowStepEvents(result, start),
    ...websocketPhaseEvents(result, start),
    ...browserEvents(result, start),
  ])
    attempt.span.addEvent(event.name, event.attributes, event.time);
  if (!result.ok)
    attempt.span.setStatus({ code: SpanStatusCode.ERROR, message: result.message ?? result.reason ?? 'failed' });
}

/** Closes the run: verdict on the root, the keep decision, then every span ends at its own time. */
function endRun(
  deps: RunSpanDeps,
  root: Span,
  attempts: readonly Attempt[],
  result: CheckResult,
): TraceRef | undefined {
  const last = attempts[attempts.length - 1] as Attempt;
  finishAttempt(last, result);
  root.setAttributes(verdictAttributes(result));
  if (!result.ok) root.setStatus({ code: SpanStatusCode.ERROR, message: result.message ?? result.reason ?? 'failed' });
  const { traceId, spanId } = last.span.spanContext();
  // A run that needed a retry is kept like a failure: its failed attempts are the flakiness to see.
  const keep = !result.ok || attempts.length > 1 || deps.sampleSuccess();
  deps.processor.decide(traceId, keep);
  for (const attempt of attempts) attempt.span.end(attempt.endMs);
  root.end(Math.max(nowMs(), last.endMs));
  deps.processor.release(traceId);
  return keep ? { traceId, spanId } : undefined;
}
