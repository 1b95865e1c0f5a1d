/**
 * OpenTelemetry traces of check runs, exported over OTLP/HTTP.
 *
 * Loaded by the agent with a dynamic import, and only when tracing is on
 * (`resolveOtlp` says so): without `exporters.otlp` and without OTLP variables no
 * OpenTelemetry module is ever loaded.
 *
 * The agent owns a private TracerProvider from the SDK (the sdk-node 0.223 line's
 * sdk-trace 2.12, resources and OTLP exporters) instead of NodeSDK: NodeSDK registers
 * process-wide providers and a context manager, and the agent needs neither. It creates
 * every span itself and hands parents explicitly, and a private provider cannot collide
 * with another agent in the same process (tests) or with an application that embeds one.
 *
 * Each run is a root span `probe <check>` with one CLIENT child per attempt (several
 * when a check retries; each sends its own span id in `traceparent`). Phase
 * timings are events on the CLIENT span (see `phaseEvents`): cheaper than five child
 * spans per run, and every trace UI shows them on the request's own bar.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { ResolvedCheck } from '../config/types.js';
import type { Logger } from '../log.js';
import type { EventBus } from '../results/bus.js';
import type { CheckResult } from '../results/types.js';
import {
  clientSpanName,
  phaseEvents,
  requestAttributes,
  responseAttributes,
  runAttributes,
  traceStateValue,
  verdictAttributes,
} from './otel/attributes.js';
import { KeepFailuresProcessor } from './otel/batch.js';
import { flowStepEvents } from './otel/kind-attributes.js';
import type { OtlpSettings } from './otel/settings.js';

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

/** One attempt's CLIENT span, held open until the run's keep decision. */
interface Attempt {
  span: Span;
  startMs: number;
  /** When the attempt ended, from its result's duration. */
  endMs: number;
  headers: Readonly<Record<string, string>> | undefined;
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

/** Epoch milliseconds with sub-millisecond precision, on the SDK's own clock. */
function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

async function createExporter(settings: OtlpSettings): Promise<SpanExporter> {
  const config = {
    url: settings.url,
    headers: settings.headers,
    timeoutMillis: settings.timeoutMs,
    compression: settings.compression === 'gzip' ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE,
    // One export at a time is all the processor sends; more would only pile up sockets on a slow collector.
    concurrencyLimit: 1,
  };
  const mod =
    settings.protocol === 'http/json' ? await import('@opentelemetry/exporter-trace-otlp-http') : await import('@opentelemetry/exporter-trace-otlp-proto');
  return new mod.OTLPTraceExporter(config);
}

/** The agent's resource: who sent these spans. The agent's own attributes win over OTEL_RESOURCE_ATTRIBUTES. */
export function resourceAttributes(settings: OtlpSettings, deps: Pick<TracerDeps, 'region' | 'datacenter' | 'labels' | 'version'>): Record<string, string> {
  return {
    ...settings.resourceAttributes,
    ...deps.labels,
    [ATTR_SERVICE_NAME]: settings.serviceName,
    [ATTR_SERVICE_VERSION]: deps.version,
    'service.instance.id': randomUUID(),
    'host.name': hostname(),
    'cloud.region': deps.region,
    ...(deps.datacenter ? { 'cloud.availability_zone': deps.datacenter } : {}),
  };
}

/** Logs the first failed export and the first success after failures, not every batch. */
function exportLog(logger: Logger, url: string) {
  let failing = false;
  return {
    ok(): void {
      if (failing) logger.info({ url }, 'OTLP export recovered');
      failing = false;
    },
    failed(spans: number): void {
      if (!failing) logger.warn({ url, spans }, 'OTLP export failed; spans are dropped and counted in canary_otel_spans_dropped_total until it recovers');
      failing = true;
    },
  };
}

/** Builds the tracer. Rejects only on a bug; a collector that is down is found at export. */
export async function createRunTracer(settings: OtlpSettings, deps: TracerDeps): Promise<RunTracer> {
  const exporter = await createExporter(settings);
  const log = exportLog(deps.logger, settings.url);
  const processor = new KeepFailuresProcessor(exporter, {
    maxQueueSize: settings.maxQueueSize,
    maxExportBatchSize: settings.maxExportBatchSize,
    scheduledDelayMs: settings.scheduledDelayMs,
    exportTimeoutMs: settings.timeoutMs,
    counters: {
      exported: (spans) => {
        log.ok();
        deps.bus.emit('otel.exported', { spans });
      },
      dropped: (spans, reason) => {
        if (reason === 'export_failed') log.failed(spans);
        deps.bus.emit('otel.dropped', { spans, reason });
      },
    },
  });
  const provider = new TracerProvider({
    resource: resourceFromAttributes(resourceAttributes(settings, deps)),
    sampler: new AlwaysOnSampler(),
    spanProcessors: [processor],
  });
  const tracer = provider.getTracer('canary', deps.version);
  const random = deps.random ?? Math.random;
  const ratio = settings.successSampleRatio;
  deps.logger.info({ url: settings.url, protocol: settings.protocol, successSampleRatio: ratio }, 'tracing on: exporting check runs over OTLP');

  /** One attempt's CLIENT span under `root`, and the trace headers that point at it. */
  function startAttempt(check: ResolvedCheck, root: Span, startMs: number): Attempt {
    const span = tracer.startSpan(
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
    for (const event of [...phaseEvents(result, attempt.startMs), ...flowStepEvents(result, attempt.startMs)]) attempt.span.addEvent(event.name, event.attributes, event.time);
    if (!result.ok) attempt.span.setStatus({ code: SpanStatusCode.ERROR, message: result.message ?? result.reason ?? 'failed' });
  }

  function begin(check: ResolvedCheck): RunTrace {
    const startMs = nowMs();
    const root = tracer.startSpan(`probe ${check.name}`, { kind: SpanKind.INTERNAL, startTime: startMs, attributes: runAttributes(check) }, ROOT_CONTEXT);
    const attempts = [startAttempt(check, root, startMs)];
    const run: RunTrace = {
      headers: attempts[0]?.headers,
      retry(failed) {
        const current = attempts[attempts.length - 1];
        if (current) finishAttempt(current, failed);
        const next = startAttempt(check, root, nowMs());
        attempts.push(next);
        return next.headers;
      },
      end: (result) => endRun(root, attempts, result),
    };
    return run;
  }

  function endRun(root: Span, attempts: readonly Attempt[], result: CheckResult): TraceRef | undefined {
    const last = attempts[attempts.length - 1] as Attempt;
    finishAttempt(last, result);
    root.setAttributes(verdictAttributes(result));
    if (!result.ok) root.setStatus({ code: SpanStatusCode.ERROR, message: result.message ?? result.reason ?? 'failed' });
    const { traceId, spanId } = last.span.spanContext();
    // A run that needed a retry is kept like a failure: its failed attempts are the flakiness to see.
    const keep = !result.ok || attempts.length > 1 || ratio >= 1 || (ratio > 0 && random() < ratio);
    processor.decide(traceId, keep);
    for (const attempt of attempts) attempt.span.end(attempt.endMs);
    root.end(Math.max(nowMs(), last.endMs));
    processor.release(traceId);
    return keep ? { traceId, spanId } : undefined;
  }

  function handle(span: Span, root: boolean): SpanHandle {
    const traceId = span.spanContext().traceId;
    return {
      child: (name, attributes) => handle(tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, trace.setSpan(ROOT_CONTEXT, span)), false),
      end(error) {
        if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
        span.end();
        if (root) processor.release(traceId);
      },
    };
  }

  function startSpan(name: string, attributes: Record<string, string | number | boolean>): SpanHandle {
    const span = tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, ROOT_CONTEXT);
    processor.decide(span.spanContext().traceId, true);
    return handle(span, true);
  }

  return {
    begin,
    startSpan,
    async shutdown(deadlineMs) {
      await processor.shutdown(deadlineMs);
      await provider.shutdown().catch(() => undefined);
    },
  };
}
