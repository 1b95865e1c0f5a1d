/**
 * The verdict of one attempt: did the observation and its expectations pass, and if not,
 * which failure reason and message. Pure; the flow probe judges its steps with it too.
 */
import { STATUS_OUTCOME } from './status.js';
import { FAILURE_REASONS, type FailureReason } from '../results/reasons.js';
import type { AssertionOutcome, Observation } from '../results/types.js';

/** The verdict of one attempt, before it is dressed as a CheckResult. */
export interface Verdict {
  ok: boolean;
  /** Why not, when not ok. */
  reason?: FailureReason;
  /** For humans: the transport error, or each failed expectation with expected vs actual. */
  message?: string;
}

/** `status: expected one of 2xx, got 503`. */
export function describeFailure(outcome: AssertionOutcome): string {
  return `${outcome.name}: expected ${outcome.expected}, got ${outcome.actual}`;
}

/**
 * Judges an attempt. A transport failure keeps the probe's reason; otherwise a failed
 * status is `http_status` (it has its own alerting meaning: the service answered, badly)
 * and any other failed expectation is `assertion`. The message lists every failure.
 */
export function verdict(observation: Observation, outcomes: readonly AssertionOutcome[]): Verdict {
  if (!observation.ok) {
    const reason = observation.reason ?? FAILURE_REASONS.unknown;
    return { ok: false, reason, message: observation.message ?? reason };
  }
  const failed = outcomes.filter((o) => !o.ok);
  if (failed.length === 0) return { ok: true };
  const statusFailed = failed.some((o) => o.name === STATUS_OUTCOME);
  return {
    ok: false,
    reason: statusFailed ? FAILURE_REASONS.http_status : FAILURE_REASONS.assertion,
    message: failed.map(describeFailure).join('; '),
  };
}
