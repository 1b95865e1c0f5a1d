import type { Attributes } from '@opentelemetry/api';

/**
 * A moment of an attempt as a span event: a phase's end with its duration (attributes.ts),
 * or a flow step's end (kind-attributes.ts). Its own module so neither of the two imports
 * the other for it.
 */
export interface PhaseEvent {
  name: string;
  /** Epoch milliseconds (fractional). */
  time: number;
  attributes: Attributes;
}
