/**
 * The TCP probe: connect to `host:port` (optionally starting TLS at once), then an
 * optional send/expect conversation, which may upgrade to TLS on the way (STARTTLS).
 * Phases: `resolve`, `connect`, `tls`.
 *
 * A refused port is `refused`, a handshake failure or (without `tls.insecure`) an
 * untrusted certificate or name mismatch is `tls`, a conversation the peer ends before
 * an `expect` matched is `assertion`, a peer reset is `reset`, bytes sent ahead of a
 * STARTTLS handshake are `protocol`.
 */
import type { ResolvedTcpCheck } from '../config/types.js';
import { splitHostPort } from '../config/schema/base.js';
import type { Observation } from '../results/types.js';
import { tlsVerdict } from './socket/verdict.js';
import type { SocketAttempt } from './socket/attempt.js';
import { dial } from './socket/dial.js';
import { startTls, type TlsFactsHolder } from './socket/starttls.js';
import { converse, type ConversationState } from './tcp/conversation.js';
import { socketProbe } from './socket/probe.js';
import type { Probe } from './types.js';

function withFacts(
  observation: Observation,
  state: ConversationState,
  ssl: boolean,
  holder: TlsFactsHolder,
): Observation {
  observation.tcp = { stepsCompleted: state.stepsCompleted, ssl: ssl || holder.tls !== undefined };
  if (state.lastLine !== undefined) observation.tcp.lastLine = state.lastLine;
  if (state.expectInfo !== undefined) observation.tcp.expectInfo = state.expectInfo;
  if (state.expectFailure !== undefined) observation.tcp.expectFailure = state.expectFailure;
  if (holder.tls !== undefined) observation.tls = holder.tls;
  return observation;
}

async function attemptTcp(check: ResolvedTcpCheck, attempt: SocketAttempt): Promise<Observation> {
  const state: ConversationState = { stepsCompleted: 0 };
  const ssl = check.tcp.tls;
  const holder: TlsFactsHolder = {};
  try {
    const { host, port } = splitHostPort(check.target) as { host: string; port: number };
    const dialled = await dial(
      { host, port, family: check.tcp.ipFamily, sourceIp: check.tcp.sourceIp, tls: ssl ? check.tls : undefined },
      attempt,
    );
    holder.tls = dialled.tls;
    const refused = holder.tls === undefined ? undefined : tlsVerdict(holder.tls, check.tls.insecure);
    if (refused !== undefined) return withFacts(attempt.fail(refused), state, ssl, holder);
    attempt.stage = 'the conversation';
    const name = check.tls.serverName ?? host;
    const last = await converse(
      dialled.socket,
      { field: 'tcp', ...check.tcp, upgrade: (socket) => startTls(socket, check.tls, name, attempt, holder) },
      state,
    );
    last.end();
    return withFacts(attempt.observe(), state, ssl, holder);
  } catch (err) {
    return withFacts(attempt.fail(err), state, ssl, holder);
  }
}

/** Creates the TCP probe (kind `tcp`); it holds no state between runs. */
export function createTcpProbe(): Probe<ResolvedTcpCheck> {
  return socketProbe<ResolvedTcpCheck>('tcp', attemptTcp);
}
