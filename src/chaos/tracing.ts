/**
 * The little of tracing that chaos uses: a root span per run and a child span per call.
 * Declared here so chaos does not depend on the exporters; the agent's OpenTelemetry
 * tracer satisfies it as it is.
 */

/** Span attributes, as OpenTelemetry takes them. */
export type ChaosSpanAttributes = Record<string, string | number | boolean>;

/** An open span of a chaos run or of one of its calls. */
export interface ChaosSpan {
  /** A child span of this one. */
  child(name: string, attributes: ChaosSpanAttributes): ChaosSpan;
  /** Ends the span; an error text marks it failed. */
  end(error?: string): void;
}

/** Starts the root span of a chaos run (always exported: runs are rare and worth keeping). */
export interface ChaosTracer {
  startSpan(name: string, attributes: ChaosSpanAttributes): ChaosSpan;
}
