import type { AssertionOutcome, Observation } from '../results/types.js';

/** What an evaluation needs besides the check and the observation. */
export interface EvaluationContext {
  /**
   * The moment of evaluation, epoch milliseconds. Passed in rather than read from a clock
   * so evaluation stays pure: the same inputs always give the same outcomes.
   */
  now: number;
}

/** The body parsed as JSON, or why it could not be: the text shown as the outcome's `actual`. */
export type ParsedJson = { ok: true; value: unknown } | { ok: false; actual: string };

/**
 * Everything one evaluation reads. Built once per evaluation so work shared by several
 * expectations (parsing the body as JSON) happens at most once.
 */
export interface Subject {
  observation: Observation;
  /** Epoch milliseconds, from {@link EvaluationContext.now}. */
  now: number;
  /** The body parsed as JSON; parsed on first call, then remembered. */
  json(): ParsedJson;
}

/**
 * One expectation, compiled: regexes built and paths parsed up front, so that evaluating
 * it on every run is a cheap, pure call.
 */
export type CompiledAssertion = (subject: Subject) => AssertionOutcome;
