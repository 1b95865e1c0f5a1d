/**
 * A check's expectations, compiled per kind and evaluated against an observation: pure
 * functions from (check, observation, moment) to outcomes. No I/O and no clock, so every
 * verdict can be replayed from the recorded inputs.
 */
import type { ResolvedCheck } from '../config/types.js';
import type { AssertionOutcome, Observation } from '../results/types.js';
import { compileBrowserExpectations } from './browser.js';
import { compileDnsExpectations } from './dns.js';
import { compileFlowExpectations } from './flow.js';
import { compileHttpExpectations } from './http.js';
import { compileGrpcExpectations } from './grpc.js';
import { compileIcmpExpectations } from './icmp.js';
import { compileTcpExpectations } from './tcp.js';
import { compileTlsExpectations } from './tls.js';
import { makeSubject } from './subject.js';
import { compileWebsocketExpectations } from './websocket.js';
import type { CompiledAssertion, EvaluationContext } from './types.js';

/** The compiled expectations of any check kind; each kind adds its evaluator file and a case. */
export function compileExpectations(check: ResolvedCheck): readonly CompiledAssertion[] {
  switch (check.kind) {
    case 'http':
      return compileHttpExpectations(check);
    case 'tcp':
    case 'unix':
      return compileTcpExpectations(check);
    case 'tls':
      return compileTlsExpectations(check);
    case 'dns':
      return compileDnsExpectations(check);
    case 'grpc':
      return compileGrpcExpectations(check);
    case 'flow':
      return compileFlowExpectations(check);
    case 'websocket':
      return compileWebsocketExpectations(check);
    case 'icmp':
      return compileIcmpExpectations(check);
    case 'browser':
      return compileBrowserExpectations(check);
  }
}

/**
 * Evaluates every expectation of a check against an observation, one outcome each, in a
 * stable order. An observation that is not ok gets no outcomes: the transport failure is
 * the verdict, and "status: expected 2xx, got nothing" would only repeat it.
 *
 * @example
 * const outcomes = evaluate(check, observation, { now: Date.now() });
 * const failed = outcomes.filter((o) => !o.ok);
 */
export function evaluate(check: ResolvedCheck, observation: Observation, ctx: EvaluationContext): AssertionOutcome[] {
  if (!observation.ok) return [];
  const subject = makeSubject(observation, ctx.now);
  return compileExpectations(check).map((assertion) => assertion(subject));
}
