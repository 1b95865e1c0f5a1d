/** Spans for things other than check runs (chaos runs and their actions): always exported. */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { KeepFailuresProcessor } from './batch.js';
import type { SpanHandle } from './types.js';

type Attributes = Record<string, string | number | boolean>;

/** A root span, kept from the start: chaos runs are rare and always worth keeping. */
export function startRootSpan(
  tracer: Tracer,
  processor: KeepFailuresProcessor,
  name: string,
  attributes: Attributes,
): SpanHandle {
  const span = tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, ROOT_CONTEXT);
  processor.decide(span.spanContext().traceId, true);
  return handle(tracer, processor, span, true);
}

/** The handle of `span`; ending a root releases its trace from the processor. */
function handle(tracer: Tracer, processor: KeepFailuresProcessor, span: Span, root: boolean): SpanHandle {
  const traceId = span.spanContext().traceId;
  return {
    child: (name, attributes) =>
      handle(
        tracer,
        processor,
        tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, trace.setSpan(ROOT_CONTEXT, span)),
        false,
      ),
    end(error) {
      if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
      span.end();
      if (root) processor.release(traceId);
    },
  };
}
