/**
 * Where finished spans go: the KeepFailuresProcessor (which holds a run's spans until its
 * verdict) in front of the OTLP exporter, counting what it exports and drops on the bus,
 * inside a private TracerProvider that says who sent them.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { Logger } from '../../log.js';
import { KeepFailuresProcessor } from './batch.js';
import { redactingExporter } from './redact-spans.js';
import type { OtlpSettings } from './settings.js';
import type { TracerDeps } from './types.js';

/** The OTLP exporter for the configured protocol; only that protocol's module is loaded. */
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
    settings.protocol === 'http/json'
      ? await import('@opentelemetry/exporter-trace-otlp-http')
      : await import('@opentelemetry/exporter-trace-otlp-proto');
  return redactingExporter(new mod.OTLPTraceExporter(config));
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
      if (!failing)
        logger.warn(
          { url, spans },
          'OTLP export failed; spans are dropped and counted in canary_otel_spans_dropped_total until it recovers',
        );
      failing = true;
    },
  };
}

/** The processor in front of the exporter, its counts going to the bus and its failures to the log. */
export async function createProcessor(
  settings: OtlpSettings,
  deps: Pick<TracerDeps, 'bus' | 'logger'>,
): Promise<KeepFailuresProcessor> {
  const exporter = await createExporter(settings);
  const log = exportLog(deps.logger, settings.url);
  return new KeepFailuresProcessor(exporter, {
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
}

/** The agent's resource: who sent these spans. The agent's own attributes win over OTEL_RESOURCE_ATTRIBUTES. */
export function resourceAttributes(
  settings: OtlpSettings,
  deps: Pick<TracerDeps, 'region' | 'datacenter' | 'labels' | 'version'>,
): Record<string, string> {
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

/** A private provider: every span sampled here, the keep decision is the processor's. */
export function createProvider(
  settings: OtlpSettings,
  deps: TracerDeps,
  processor: KeepFailuresProcessor,
): TracerProvider {
  return new TracerProvider({
    resource: resourceFromAttributes(resourceAttributes(settings, deps)),
    sampler: new AlwaysOnSampler(),
    spanProcessors: [processor],
  });
}
