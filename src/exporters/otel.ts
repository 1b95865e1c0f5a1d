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
 *
 *   run/check.ts ── begin, retry, end ──→ otel/run-spans.ts ───┐
 *   chaos ────────── startSpan ──────────→ otel/other-spans.ts ─┤
 *                                                               ↓
 *   otel/batch.ts: KeepFailuresProcessor, holds a run's spans until its verdict
 *                                                               ↓
 *   otel/pipeline.ts: the OTLP exporter, in a private TracerProvider
 */
import type { OtlpSettings } from './otel/settings.js';
import { createProcessor, createProvider } from './otel/pipeline.js';
import { startRootSpan } from './otel/other-spans.js';
import { beginRun, type RunSpanDeps } from './otel/run-spans.js';
import type { RunTracer, TracerDeps } from './otel/types.js';

export { resourceAttributes } from './otel/pipeline.js';
export type { RunTrace, RunTracer, SpanHandle, TraceRef, TracerDeps } from './otel/types.js';

/**
 * Builds the tracer: the export pipeline, a private provider, and the run and chaos spans
 * on top. Rejects only on a bug; a collector that is down is found at export.
 */
export async function createRunTracer(settings: OtlpSettings, deps: TracerDeps): Promise<RunTracer> {
  const processor = await createProcessor(settings, deps);
  const provider = createProvider(settings, deps, processor);
  const tracer = provider.getTracer('canary', deps.version);
  const runs: RunSpanDeps = {
    tracer,
    processor,
    region: deps.region,
    sampleSuccess: successSampler(settings.successSampleRatio, deps.random ?? Math.random),
  };
  deps.logger.info(
    { url: settings.url, protocol: settings.protocol, successSampleRatio: settings.successSampleRatio },
    'tracing on: exporting check runs over OTLP',
  );
  return {
    begin: (check) => beginRun(runs, check),
    startSpan: (name, attributes) => startRootSpan(tracer, processor, name, attributes),
    async shutdown(deadlineMs) {
      await processor.shutdown(deadlineMs);
      await provider.shutdown().catch(() => undefined);
    },
  };
}

/** Whether to keep a successful run of one attempt: all at 1, none at 0, else that share at random. */
function successSampler(ratio: number, random: () => number): () => boolean {
  return () => ratio >= 1 || (ratio > 0 && random() < ratio);
}
