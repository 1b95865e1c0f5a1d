/**
 * The TCP probe: connect to `host:port` (optionally starting TLS at once), then an
 * optional send/expect conversation. Phases: `resolve`, `connect`, `tls`.
 *
 * A refused port is `refused`, a handshake failure or (without `tls.insecure`) an
 * untrusted certificate or name mismatch is `tls`, a conversation the peer ends before
 * an `expect` matched is `assertion`, a peer reset is `reset`.
 */
import type { ResolvedTcpCheck } from '../config/types.js';
import { splitHostPort } from '../config/schema/base.js';
import type { Observation, TlsFacts } from '../results/types.js';
import { tlsVerdict } from './socket/verdict.js';
import type { SocketAttempt } from './socket/attempt.js';
import { dial } from './socket/dial.js';
import { converse, type ConversationState } from './tcp/conversation.js';
import { socketProbe } from './socket/probe.js';
import type { Probe } from './types.js';

function withFacts(
  observation: Observation,
  state: ConversationState,
  ssl: boolean,
  tls: TlsFacts | undefined,
): Observation {
  observation.tcp = { stepsCompleted: state.stepsCompleted, ssl };
  if (state.lastLine !== undefined) observation.tcp.lastLine = state.lastLine;
  if (tls !== undefined) observation.tls = tls;
  return observation;
}

async function attemptTcp(check: ResolvedTcpCheck, attempt: SocketAttempt): Promise<Observation> {
  const state: ConversationState = { stepsCompleted: 0 };
  const ssl = check.tcp.tls;
  let tls: TlsFacts | undefined;
  try {
    const { host, port } = splitHostPort(check.target) as { host: string; port: number };
    const dialled = await dial({ host, port, family: check.tcp.ipFamily, tls: ssl ? check.tls : undefined }, attempt);
    tls = dialled.tls;
    const refused = tls === undefined ? undefined : tlsVerdict(tls, check.tls.insecure);
    if (refused !== undefined) return withFacts(attempt.fail(refused), state, ssl, tls);
    attempt.stage = 'the conversation';
    await converse(dialled.socket, check, state);
    dialled.socket.end();
    return withFacts(attempt.observe(), state, ssl, tls);
  } catch (err) {
    return withFacts(attempt.fail(err), state, ssl, tls);
  }
}

/** Creates the TCP probe (kind `tcp`); it holds no state between runs. */
export function createTcpProbe(): Probe<ResolvedTcpCheck> {
  return socketProbe<ResolvedTcpCheck>('tcp', attemptTcp);
}
