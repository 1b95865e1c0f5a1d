/**
 * The last step before spans leave: attribute values, event attributes, span names and
 * status messages that quote a known secret value (secrets/registry.ts) are sent with
 * `<redacted>` in its place. Spans that quote none go out as they are.
 */
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { redactText } from '../../secrets/redact.js';
import { secretValues } from '../../secrets/registry.js';

function redactValue(value: AttributeValue | undefined): AttributeValue | undefined {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value))
    return value.map((v: unknown) => (typeof v === 'string' ? redactText(v) : v)) as AttributeValue;
  return value;
}

function redactAttributes(attributes: Attributes | undefined): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes ?? {})) out[key] = redactValue(value);
  return out;
}

/** A copy of `span` with its texts redacted; its context, times and resource untouched. */
export function redactSpan(span: ReadableSpan): ReadableSpan {
  return {
    name: redactText(span.name),
    kind: span.kind,
    spanContext: () => span.spanContext(),
    parentSpanContext: span.parentSpanContext,
    startTime: span.startTime,
    endTime: span.endTime,
    status:
      span.status.message === undefined ? span.status : { ...span.status, message: redactText(span.status.message) },
    attributes: redactAttributes(span.attributes),
    links: span.links,
    events: span.events.map((e) => ({ ...e, name: redactText(e.name), attributes: redactAttributes(e.attributes) })),
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

/** `exporter` whose spans are redacted first. */
export function redactingExporter(exporter: SpanExporter): SpanExporter {
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
      exporter.export(secretValues().length === 0 ? spans : spans.map(redactSpan), done);
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}
