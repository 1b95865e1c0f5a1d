/**
 * One step of a flow: fill its placeholders, send it through the HTTP probe, judge it with
 * the HTTP expectations, then extract its values.
 */
import { compileHttpExpectations } from '../../assertions/http.js';
import { makeSubject } from '../../assertions/subject.js';
import type { FlowStep } from '../../config/schema/flow.js';
import type { ResolvedFlowCheck, ResolvedHttpCheck } from '../../config/types.js';
import { verdict } from '../../assertions/verdict.js';
import { FAILURE_REASONS, type FailureReason } from '../../results/reasons.js';
import type { FlowStepFacts, Observation } from '../../results/types.js';
import type { Probe, ProbeContext } from '../types.js';
import { extractsFromBody, extractValues } from './extract.js';
import { fillRequest, type FilledRequest } from './placeholders.js';

/** What a step leaves behind: its facts, and the HTTP observation when a request was made. */
export interface StepRun {
  facts: FlowStepFacts;
  observation?: Observation;
}

/** Matches any body: it only tells the HTTP probe to keep the body for extraction. */
const KEEP_BODY = { matches: '' };

/**
 * The step as an HTTP check, so the HTTP probe makes the request exactly as for an http
 * check. Its `expect` is read by the probe only to decide whether to keep the body; the
 * step's own expectations are judged here.
 */
function asHttpCheck(check: ResolvedFlowCheck, step: FlowStep, url: URL, request: FilledRequest): ResolvedHttpCheck {
  // Fields every check has (name, labels, schedule, timeoutMs, ...) come along as they are.
  const { kind: _kind, flow: _flow, expect: _expect, ...common } = check;
  const { url: _written, ...options } = step.http;
  return {
    ...common,
    kind: 'http',
    target: url.href,
    http: { ...options, headers: request.headers, body: request.body, keepAlive: false, traceContext: false },
    expect: extractsFromBody(step) ? { ...step.expect, body: [...step.expect.body, KEEP_BODY] } : step.expect,
  };
}

function failedBeforeSending(step: FlowStep, reason: FailureReason, message: string): StepRun {
  return { facts: { name: step.name, ok: false, durationSeconds: 0, phases: {}, reason, message } };
}

function factsOf(
  step: FlowStep,
  observation: Observation,
  failure?: { reason: FailureReason; message: string },
): FlowStepFacts {
  const facts: FlowStepFacts = {
    name: step.name,
    ok: failure === undefined,
    durationSeconds: observation.durationSeconds,
    phases: observation.phases,
  };
  if (observation.http !== undefined) facts.status = observation.http.status;
  if (failure !== undefined) Object.assign(facts, failure);
  return facts;
}

/**
 * Runs one step on the flow's signal. On success the extracted values are added to
 * `values`; on failure the facts carry the reason: the HTTP probe's (connect, timeout, ...),
 * `http_status` or `assertion` from the expectations, `assertion` for a failed extraction.
 */
export async function runStep(
  http: Probe<ResolvedHttpCheck>,
  check: ResolvedFlowCheck,
  step: FlowStep,
  values: Map<string, string>,
  ctx: ProbeContext,
): Promise<StepRun> {
  const request = fillRequest(step.http, values);
  if ('missing' in request) {
    return failedBeforeSending(
      step,
      FAILURE_REASONS.unknown,
      `{{${request.missing}}} in ${request.field} has no value: no earlier step extracted it`,
    );
  }
  let url: URL;
  try {
    url = new URL(request.url, check.target);
  } catch {
    return failedBeforeSending(step, FAILURE_REASONS.unknown, `invalid URL ${request.url}`);
  }
  const observation = await http.run(asHttpCheck(check, step, url, request), ctx);
  if (!observation.ok) return { facts: factsOf(step, observation, verdictFailure(observation, [])), observation };
  const subject = makeSubject(observation, Date.now());
  const judged = verdictFailure(
    observation,
    compileHttpExpectations(step).map((assert) => assert(subject)),
  );
  if (judged !== undefined) return { facts: factsOf(step, observation, judged), observation };
  const extracted = extractValues(step, subject);
  if ('message' in extracted)
    return {
      facts: factsOf(step, observation, { reason: FAILURE_REASONS.assertion, message: extracted.message }),
      observation,
    };
  for (const [name, value] of extracted.values) values.set(name, value);
  return { facts: factsOf(step, observation), observation };
}

/** The verdict of an http check on the step's response, as a failure or undefined. */
function verdictFailure(
  observation: Observation,
  outcomes: Parameters<typeof verdict>[1],
): { reason: FailureReason; message: string } | undefined {
  const judged = verdict(observation, outcomes);
  if (judged.ok) return undefined;
  const reason = judged.reason ?? FAILURE_REASONS.unknown;
  return { reason, message: judged.message ?? reason };
}
