/**
 * The span processor between the agent's tracer and the OTLP exporter: it keeps whole
 * traces or none, and it batches them over a bounded queue that never makes a probe wait.
 *
 * Why not the SDK's sampler: a head sampler decides when the root span starts, before
 * anyone knows whether the run will fail, so any ratio below 1 would drop failures in
 * the same proportion as successes. Here every span is recorded (the tracer runs with an
 * always-on sampler; a span is a small object alive for one probe), and the decision is
 * taken when the run has a verdict: the agent calls {@link KeepFailuresProcessor.decide}
 * before it ends the run's spans, keeping every failed run and a ratio of the successful
 * ones. This tail decision is exact and local because a run's spans all live in this
 * process and end together.
 *
 * Why not the SDK's BatchSpanProcessor: it drops silently when its queue is full, and the
 * agent must count every span it loses (`canary_otel_spans_dropped_total`).
 */
import type { Context } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';

/** Why spans were lost. */
export type DropReason = 'queue_full' | 'export_failed' | 'shutdown';

export interface BatchCounters {
  exported(count: number): void;
  dropped(count: number, reason: DropReason): void;
}

export interface BatchOptions {
  maxQueueSize: number;
  maxExportBatchSize: number;
  scheduledDelayMs: number;
  /** An export that has not answered by then counts as failed (the exporter has its own timeout too). */
  exportTimeoutMs: number;
  counters: BatchCounters;
}

/** ExportResultCode.SUCCESS, written out so this file imports no runtime OpenTelemetry code. */
const SUCCESS: number = 0;

export class KeepFailuresProcessor implements SpanProcessor {
  readonly #exporter: SpanExporter;
  readonly #options: BatchOptions;
  readonly #keep = new Set<string>();
  #queue: ReadableSpan[] = [];
  #timer: NodeJS.Timeout | undefined;
  #exporting: Promise<void> | undefined;
  #closed = false;

  constructor(exporter: SpanExporter, options: BatchOptions) {
    this.#exporter = exporter;
    this.#options = options;
  }

  /** Says whether the spans of `traceId` that end from now on are exported. Call before ending them. */
  decide(traceId: string, keep: boolean): void {
    if (keep) this.#keep.add(traceId);
    else this.#keep.delete(traceId);
  }

  /** Forgets a decision once every span of the trace has ended. */
  release(traceId: string): void {
    this.#keep.delete(traceId);
  }

  /** Spans waiting for export. */
  get queued(): number {
    return this.#queue.length;
  }

  onStart(_span: Span, _parent: Context): void {}

  onEnd(span: ReadableSpan): void {
    if (!this.#keep.has(span.spanContext().traceId)) return;
    if (this.#closed || this.#queue.length >= this.#options.maxQueueSize) {
      this.#options.counters.dropped(1, this.#closed ? 'shutdown' : 'queue_full');
      return;
    }
    this.#queue.push(span);
    if (this.#queue.length >= this.#options.maxExportBatchSize) this.#kick();
    else this.#timer ??= setTimeout(() => this.#kick(), this.#options.scheduledDelayMs).unref();
  }

  /** Exports everything queued; resolves when done or when `deadlineMs` has passed. */
  async forceFlush(deadlineMs = this.#options.exportTimeoutMs): Promise<void> {
    const until = Date.now() + deadlineMs;
    while ((this.#queue.length > 0 || this.#exporting) && Date.now() < until) {
      this.#kick();
      const wait = sleep(until - Date.now());
      await Promise.race([this.#exporting, wait.done]);
      wait.cancel();
    }
  }

  /** Flushes within `deadlineMs`, counts what is left as dropped, and shuts the exporter down. */
  async shutdown(deadlineMs = this.#options.exportTimeoutMs): Promise<void> {
    if (this.#closed) return;
    await this.forceFlush(deadlineMs);
    this.#closed = true;
    clearTimeout(this.#timer);
    if (this.#queue.length > 0) this.#options.counters.dropped(this.#queue.length, 'shutdown');
    this.#queue = [];
    await this.#exporter.shutdown().catch(() => undefined);
  }

  /** Starts an export unless one is running; one at a time keeps memory and sockets bounded. */
  #kick(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#exporting || this.#queue.length === 0) return;
    const batch = this.#queue.splice(0, this.#options.maxExportBatchSize);
    this.#exporting = this.#export(batch).finally(() => {
      this.#exporting = undefined;
      if (this.#queue.length >= this.#options.maxExportBatchSize) this.#kick();
      else if (this.#queue.length > 0 && !this.#closed)
        this.#timer ??= setTimeout(() => this.#kick(), this.#options.scheduledDelayMs).unref();
    });
  }

  async #export(batch: ReadableSpan[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<ExportResult>((resolve) => {
      timer = setTimeout(
        () => resolve({ code: 1, error: new Error('export timed out') }),
        this.#options.exportTimeoutMs + 1_000,
      ).unref();
    });
    const done = new Promise<ExportResult>((resolve) => {
      try {
        this.#exporter.export(batch, resolve);
      } catch (error) {
        resolve({ code: 1, error: error instanceof Error ? error : new Error(String(error)) });
      }
    });
    const result = await Promise.race([done, timedOut]);
    clearTimeout(timer);
    if ((result.code as number) === SUCCESS) this.#options.counters.exported(batch.length);
    else this.#options.counters.dropped(batch.length, 'export_failed');
  }
}

/** Kept referenced (a flush at exit must hold the process open until its deadline) and cancellable. */
function sleep(ms: number): { done: Promise<void>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms))));
  return { done, cancel: () => clearTimeout(timer) };
}
