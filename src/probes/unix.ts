/**
 * The unix socket probe: connect to a socket path, then the same send/expect
 * conversation as a tcp check, STARTTLS included. Phases: `connect`, `tls`.
 *
 * Nothing listening on the path, or no such path, is `refused`; the rest is as for tcp.
 */
import { connect } from 'node:net';
import type { ResolvedUnixCheck } from '../config/types.js';
import { FAILURE_REASONS } from '../results/reasons.js';
import type { Observation } from '../results/types.js';
import { failureMessage, ProbeFailure } from './http/classify.js';
import type { SocketAttempt } from './socket/attempt.js';
import { settle } from './socket/dial.js';
import { startTls, type TlsFactsHolder } from './socket/starttls.js';
import { converse, type ConversationState } from './tcp/conversation.js';
import { socketProbe } from './socket/probe.js';
import type { Probe } from './types.js';

/** Errors of connecting to a path that mean nobody is there to answer. */
const NOBODY_LISTENING = new Set(['ENOENT', 'ECONNREFUSED', 'ENOTSOCK']);

async function open(check: ResolvedUnixCheck, attempt: SocketAttempt) {
  attempt.stage = 'the socket connect';
  const started = performance.now();
  const socket = attempt.own(connect({ path: check.target }));
  try {
    await settle(socket, 'connect');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (!attempt.signal.aborted && typeof code === 'string' && NOBODY_LISTENING.has(code))
      throw new ProbeFailure(FAILURE_REASONS.refused, failureMessage(err));
    throw err;
  } finally {
    attempt.add('connect', performance.now() - started);
  }
  return socket;
}

async function attemptUnix(check: ResolvedUnixCheck, attempt: SocketAttempt): Promise<Observation> {
  const state: ConversationState = { stepsCompleted: 0 };
  const holder: TlsFactsHolder = {};
  const withFacts = (observation: Observation): Observation => {
    observation.unix = { stepsCompleted: state.stepsCompleted, ssl: holder.tls !== undefined };
    if (state.lastLine !== undefined) observation.unix.lastLine = state.lastLine;
    if (state.expectInfo !== undefined) observation.unix.expectInfo = state.expectInfo;
    if (state.expectFailure !== undefined) observation.unix.expectFailure = state.expectFailure;
    if (holder.tls !== undefined) observation.tls = holder.tls;
    return observation;
  };
  try {
    const socket = await open(check, attempt);
    attempt.stage = 'the conversation';
    const upgrade = (plain: typeof socket) => startTls(plain, check.tls, check.tls.serverName, attempt, holder);
    const last = await converse(socket, { field: 'unix', ...check.unix, upgrade }, state);
    last.end();
    return withFacts(attempt.observe());
  } catch (err) {
    return withFacts(attempt.fail(err));
  }
}

/** Creates the unix socket probe (kind `unix`); it holds no state between runs. */
export function createUnixProbe(): Probe<ResolvedUnixCheck> {
  return socketProbe<ResolvedUnixCheck>('unix', attemptUnix);
}
