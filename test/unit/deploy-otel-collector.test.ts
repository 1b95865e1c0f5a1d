/**
 * No Collector runs here, so its config is checked for structure: every component a
 * pipeline names is defined, and the receiver listens where agents send (OTLP/HTTP, 4318).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { repoRoot } from '../helpers/paths.js';
import { join } from 'node:path';

interface CollectorConfig {
  receivers: Record<string, { protocols?: { http?: { endpoint?: string }; grpc?: unknown } }>;
  processors?: Record<string, unknown>;
  exporters: Record<string, unknown>;
  extensions?: Record<string, unknown>;
  service: {
    extensions?: string[];
    pipelines: Record<string, { receivers: string[]; processors?: string[]; exporters: string[] }>;
  };
}

const config = parse(
  readFileSync(join(repoRoot, 'deploy', 'otel-collector', 'config.yaml'), 'utf8'),
) as CollectorConfig;

test('the Collector receives OTLP/HTTP on 4318, where agents export', () => {
  assert.match(config.receivers.otlp?.protocols?.http?.endpoint ?? '', /:4318$/);
});

test('the traces pipeline uses only defined components, and batches after the memory limiter', () => {
  const traces = config.service.pipelines.traces;
  assert.ok(traces, 'a traces pipeline');
  for (const name of traces.receivers) assert.ok(name in config.receivers, `receiver ${name} defined`);
  for (const name of traces.processors ?? []) assert.ok(name in (config.processors ?? {}), `processor ${name} defined`);
  for (const name of traces.exporters) assert.ok(name in config.exporters, `exporter ${name} defined`);
  for (const name of config.service.extensions ?? [])
    assert.ok(name in (config.extensions ?? {}), `extension ${name} defined`);
  assert.deepEqual(traces.processors, ['memory_limiter', 'batch'], 'memory_limiter must come first');
  assert.ok(
    traces.exporters.some((e) => e.startsWith('otlp')),
    'exports OTLP onward',
  );
});
