/**
 * The span processor against a recording SpanExporter written here (the exporter's
 * network side is tested against a real receiver in test/integration/otel-*.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExportResult } from '@opentelemetry/core';
import { TracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { KeepFailuresProcessor, type DropReason } from '../../src/exporters/otel/batch.js';
import { waitUntil } from '../helpers/wait.js';

/** Records batches; answers each export when the test says so (or at once). */
class RecordingExporter implements SpanExporter {
  readonly batches: ReadableSpan[][] = [];
  readonly pending: ((result: ExportResult) => void)[] = [];
  inFlight = 0;
  maxInFlight = 0;
  auto: ExportResult | undefined = { code: 0 };
  shutdowns = 0;

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.batches.push(spans);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const finish = (result: ExportResult) => {
      this.inFlight--;
      done(result);
    };
    if (this.auto) setImmediate(() => finish(this.auto ?? { code: 0 }));
    else this.pending.push(finish);
  }
  shutdown(): Promise<void> {
    this.shutdowns++;
    return Promise.resolve();
  }
}

function setup(
  options: Partial<{
    maxQueueSize: number;
    maxExportBatchSize: number;
    scheduledDelayMs: number;
    exportTimeoutMs: number;
  }> = {},
) {
  const exporter = new RecordingExporter();
  const counts = { exported: 0, dropped: new Map<DropReason, number>() };
  const processor = new KeepFailuresProcessor(exporter, {
    maxQueueSize: 100,
    maxExportBatchSize: 10,
    scheduledDelayMs: 20,
    exportTimeoutMs: 1_000,
    ...options,
    counters: {
      exported: (n) => (counts.exported += n),
      dropped: (n, reason) => counts.dropped.set(reason, (counts.dropped.get(reason) ?? 0) + n),
    },
  });
  const tracer = new TracerProvider({ spanProcessors: [processor] }).getTracer('test');
  /** Ends one span of a new trace, kept or not. */
  const span = (keep: boolean) => {
    const s = tracer.startSpan('s');
    processor.decide(s.spanContext().traceId, keep);
    s.end();
    processor.release(s.spanContext().traceId);
  };
  return { exporter, counts, processor, span };
}

/** Lets `ms` pass, for the cases whose point is that nothing is exported meanwhile. */
const quiet = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('only spans of traces decided "keep" are exported; a decision is forgotten after release', async () => {
  const { exporter, counts, processor, span } = setup();
  span(true);
  span(false);
  span(true);
  await processor.forceFlush();
  assert.equal(exporter.batches.flat().length, 2);
  assert.equal(counts.exported, 2);
  assert.equal(counts.dropped.size, 0);
});

test('a full batch is sent at once, a partial one after the delay', async () => {
  const { exporter, span } = setup({ maxExportBatchSize: 3, scheduledDelayMs: 10_000 });
  for (let i = 0; i < 3; i++) span(true);
  // Far sooner than the 10 s delay: only a batch sent for being full arrives in time.
  await waitUntil(() => exporter.batches.length === 1, 5_000, 'the full batch to be exported', 5);
  span(true);
  await quiet(40);
  assert.equal(exporter.batches.length, 1, 'partial batch waits');
});

test('one export at a time; the queue is bounded and overflow is counted as queue_full', async () => {
  const { exporter, counts, processor, span } = setup({ maxQueueSize: 5, maxExportBatchSize: 2 });
  exporter.auto = undefined;
  for (let i = 0; i < 12; i++) span(true);
  await waitUntil(() => exporter.batches.length === 1, 5_000, 'the first batch to be exported', 5);
  // Time for a second, concurrent export to start if the processor allowed one.
  await quiet(40);
  assert.equal(exporter.maxInFlight, 1);
  assert.equal(exporter.batches.length, 1);
  // 2 went out in the first batch, 5 wait, 5 overflowed.
  assert.equal(processor.queued, 5);
  assert.equal(counts.dropped.get('queue_full'), 5);
  exporter.auto = { code: 0 };
  exporter.pending.shift()?.({ code: 0 });
  await processor.forceFlush();
  assert.equal(counts.exported, 7);
  assert.equal(exporter.maxInFlight, 1);
});

test('failed exports are counted as export_failed, per span', async () => {
  const { exporter, counts, processor, span } = setup();
  exporter.auto = { code: 1, error: new Error('503') };
  for (let i = 0; i < 4; i++) span(true);
  await processor.forceFlush();
  assert.equal(counts.dropped.get('export_failed'), 4);
  assert.equal(counts.exported, 0);
});

test('an exporter that never answers is given up on after its timeout, and the next batch goes', async () => {
  const { exporter, counts, processor, span } = setup({ exportTimeoutMs: 10, maxExportBatchSize: 1 });
  exporter.auto = undefined;
  span(true);
  span(true);
  await waitUntil(
    () => counts.dropped.get('export_failed') === 2,
    10_000,
    'both exports to time out (timeout + 1 s grace each)',
  );
  assert.equal(exporter.batches.length, 2);
  await processor.shutdown(10);
});

test('shutdown flushes within its deadline, counts what is left, refuses later spans, shuts the exporter once', async () => {
  const { exporter, counts, processor, span } = setup({ maxExportBatchSize: 2, scheduledDelayMs: 10_000 });
  exporter.auto = undefined;
  for (let i = 0; i < 5; i++) span(true);
  await processor.shutdown(50);
  // First batch of 2 is stuck in flight; 3 wait in the queue when the deadline passes.
  assert.equal(counts.dropped.get('shutdown'), 3);
  span(true);
  assert.equal(counts.dropped.get('shutdown'), 4);
  await processor.shutdown(50);
  assert.equal(exporter.shutdowns, 1);
});
