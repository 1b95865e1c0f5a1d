import { z } from 'zod';
import { duration } from './common.js';

/**
 * What OTLP export uses when neither the config nor an `OTEL_*` variable says. They live
 * here, beside the schema, because the schema cannot default these keys itself: a default
 * in the schema would always "say", and the standard variables could never apply.
 */
export const OTLP_FALLBACKS = Object.freeze({
  endpoint: 'http://localhost:4318',
  protocol: 'http/protobuf',
  timeoutMs: 10_000,
  compression: 'none',
  successSampleRatio: 1,
  maxQueueSize: 2048,
  maxExportBatchSize: 512,
  scheduledDelayMs: 5_000,
} as const);

export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export const OTLP_COMPRESSIONS = ['none', 'gzip'] as const;

const endpoint = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}, 'must be an absolute http:// or https:// URL, e.g. http://127.0.0.1:4318');

/**
 * `exporters.otlp`: traces of every check run, sent over OTLP/HTTP. Present (even empty)
 * turns tracing on; so does `OTEL_EXPORTER_OTLP_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`. A key set here wins over its variable.
 */
export const otlpSchema = z
  .strictObject({
    endpoint: endpoint.optional().meta({
      description: `Collector base URL; /v1/traces is appended unless the path already ends with it. Else OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_EXPORTER_OTLP_ENDPOINT, then ${OTLP_FALLBACKS.endpoint}.`,
    }),
    protocol: z
      .enum(OTLP_PROTOCOLS)
      .optional()
      .meta({
        description: `Wire format. Else OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, OTEL_EXPORTER_OTLP_PROTOCOL, then ${OTLP_FALLBACKS.protocol}.`,
      }),
    headers: z.record(z.string().min(1), z.string()).optional().meta({
      description:
        'Headers on every export request (e.g. authorization: "Bearer ${OTLP_TOKEN}"); merged over OTEL_EXPORTER_OTLP_HEADERS.',
    }),
    timeout: duration({ min: 1 }).optional().meta({
      description: 'Budget of one export request, retries included. Else OTEL_EXPORTER_OTLP_TIMEOUT, then 10s.',
    }),
    compression: z.enum(OTLP_COMPRESSIONS).optional().meta({
      description: 'Request body compression. Else OTEL_EXPORTER_OTLP_COMPRESSION, then none.',
    }),
    successSampleRatio: z.number().min(0).max(1).optional().meta({
      description:
        'Share of successful runs whose traces are exported (0 to 1). Failed runs are always exported. Else OTEL_TRACES_SAMPLER_ARG with a ratio sampler, then 1.',
    }),
    maxQueueSize: z.int().min(1).max(1_000_000).optional().meta({
      description:
        'Spans waiting for export at most; more are dropped and counted. Else OTEL_BSP_MAX_QUEUE_SIZE, then 2048.',
    }),
    maxExportBatchSize: z.int().min(1).max(100_000).optional().meta({
      description: 'Spans per export request at most. Else OTEL_BSP_MAX_EXPORT_BATCH_SIZE, then 512.',
    }),
    scheduledDelay: duration({ min: 1 }).optional().meta({
      description:
        'How long a span may wait for a full batch before it is sent. Else OTEL_BSP_SCHEDULE_DELAY, then 5s.',
    }),
  })
  .refine(
    (o) => o.maxQueueSize === undefined || o.maxExportBatchSize === undefined || o.maxExportBatchSize <= o.maxQueueSize,
    {
      message: 'must not exceed maxQueueSize',
      path: ['maxExportBatchSize'],
    },
  )
  .meta({ description: 'OpenTelemetry trace export over OTLP/HTTP. Present (even {}) turns tracing on.' });

export type OtlpConfig = z.output<typeof otlpSchema>;
