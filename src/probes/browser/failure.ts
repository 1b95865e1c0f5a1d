/**
 * The failure reason of a journey step, from what Playwright threw. Chromium names a
 * navigation's network error (`net::ERR_CONNECTION_REFUSED`), which maps onto the closed
 * set as the http probe maps socket errors; running out of time is `timeout` while
 * loading a page and `assertion` while waiting for an element or text (the page loaded,
 * what the step looks for never came).
 */
import { errorMessage } from '../../errors.js';
import { FAILURE_REASONS, type FailureReason } from '../../results/reasons.js';
import { abortReason } from '../http/classify.js';

/** What a failed step reports. */
export interface StepFailure {
  reason: FailureReason;
  message: string;
}

const NET_ERRORS: readonly [RegExp, FailureReason][] = [
  [/^ERR_CONNECTION_REFUSED$/, FAILURE_REASONS.refused],
  [/^ERR_NAME_(NOT_RESOLVED|RESOLUTION_FAILED)$/, FAILURE_REASONS.dns],
  [/^ERR_(CONNECTION_RESET|CONNECTION_CLOSED|EMPTY_RESPONSE)$/, FAILURE_REASONS.reset],
  [/^ERR_(CERT_|SSL_|BAD_SSL)/, FAILURE_REASONS.tls],
  [/^ERR_(TIMED_OUT|CONNECTION_TIMED_OUT)$/, FAILURE_REASONS.timeout],
  [/^ERR_(INVALID_HTTP_RESPONSE|RESPONSE_HEADERS_TOO_BIG|INVALID_RESPONSE)$/, FAILURE_REASONS.protocol],
  [/^ERR_TOO_MANY_REDIRECTS$/, FAILURE_REASONS.redirects],
];

/** The first line of a Playwright message: the rest is its call log, noise in a metric's message. */
function firstLine(err: unknown): string {
  return (errorMessage(err).split('\n')[0] ?? '').trim();
}

/** A step that ran to its end but found the page wrong (an error status, text missing). */
export class StepExpectation extends Error {
  constructor(
    readonly reason: FailureReason,
    message: string,
  ) {
    super(message);
    this.name = 'StepExpectation';
  }
}

/** Classifies what a step threw; `navigating` for the target's load and `goto`. */
export function stepFailure(err: unknown, navigating: boolean, signal: AbortSignal): StepFailure {
  if (signal.aborted) {
    const reason = abortReason(signal);
    return { reason, message: reason === FAILURE_REASONS.timeout ? 'timed out' : 'aborted' };
  }
  if (err instanceof StepExpectation) return { reason: err.reason, message: err.message };
  const message = firstLine(err);
  const net = /net::(ERR_[A-Z_]+)/.exec(message)?.[1];
  if (net !== undefined) {
    const reason = NET_ERRORS.find(([pattern]) => pattern.test(net))?.[1] ?? FAILURE_REASONS.connect;
    return { reason, message };
  }
  if (err instanceof Error && err.name === 'TimeoutError') {
    return { reason: navigating ? FAILURE_REASONS.timeout : FAILURE_REASONS.assertion, message };
  }
  return { reason: FAILURE_REASONS.unknown, message };
}
