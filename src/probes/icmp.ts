/**
 * The ICMP probe: one echo request to the target and its reply, as blackbox_exporter's
 * icmp prober. Phases, named as blackbox names them: `resolve` (the name), `setup`
 * (opening the socket) and `rtt` (request to reply).
 *
 * No reply within the timeout is `timeout`; an ICMP error about the request (destination
 * unreachable, time exceeded) or a send with no route is `unreachable`; a name that does
 * not resolve is `dns`; a socket the system refuses is `connect`.
 */
import { randomInt } from 'node:crypto';
import type { ResolvedIcmpCheck } from '../config/types.js';
import { FAILURE_REASONS } from '../results/reasons.js';
import type { IcmpFacts, Observation } from '../results/types.js';
import { ProbeFailure } from './http/classify.js';
import { icmpNative } from './icmp/native.js';
import { echoRequest } from './icmp/packet.js';
import { resolveTarget, type IcmpAddress } from './icmp/resolve.js';
import { exchange, openSocket, type IcmpSocket } from './icmp/socket.js';
import type { SocketAttempt } from './socket/attempt.js';
import { socketProbe } from './socket/probe.js';
import { vetoed, type Probe } from './types.js';

async function resolveTimed(check: ResolvedIcmpCheck, attempt: SocketAttempt): Promise<IcmpAddress> {
  attempt.stage = 'name resolution';
  const started = performance.now();
  try {
    return await resolveTarget(check);
  } finally {
    attempt.add('resolve', performance.now() - started);
  }
}

/** A source address of the other family can never send to this target: say so rather than fail in bind. */
function sourceProblem(check: ResolvedIcmpCheck, target: IcmpAddress): ProbeFailure | undefined {
  const source = check.icmp.sourceIp;
  if (source === undefined || source.includes(':') === (target.version === 6)) return undefined;
  return new ProbeFailure(
    FAILURE_REASONS.connect,
    `sourceIp ${source} and the target's address ${target.address} are of different IP families`,
  );
}

function withFacts(observation: Observation, facts: IcmpFacts | undefined): Observation {
  if (facts !== undefined) observation.icmp = facts;
  return observation;
}

/** Opens the socket (timed as `setup`) and exchanges one echo (timed as `rtt`), filling `facts`. */
async function ping(check: ResolvedIcmpCheck, attempt: SocketAttempt, target: IcmpAddress, facts: IcmpFacts) {
  const native = icmpNative();
  if (native instanceof Error) throw new ProbeFailure(FAILURE_REASONS.connect, native.message);
  const setupStarted = performance.now();
  const options = {
    ttl: check.icmp.ttl ?? 0,
    dontFragment: check.icmp.dontFragment,
    source: check.icmp.sourceIp ?? '',
  };
  let socket: IcmpSocket | undefined;
  try {
    socket = openSocket(native, target.version, options);
    facts.socket = socket.kind;
    facts.setupSeconds = (performance.now() - setupStarted) / 1000;
    attempt.stage = 'the answer';
    // Random identity: a raw socket sees every echo on the host, other probes' included.
    const request = echoRequest(target.version, randomInt(1, 0x10000), randomInt(0, 0x10000), check.icmp.payloadSize);
    const sent = performance.now();
    try {
      const reply = await exchange(socket, request, target.address, attempt.signal);
      if (reply.hopLimit >= 0) facts.hopLimit = reply.hopLimit;
    } finally {
      facts.rttSeconds = (performance.now() - sent) / 1000;
    }
  } finally {
    if (socket !== undefined) native.close(socket.handle);
  }
}

async function attemptIcmp(check: ResolvedIcmpCheck, attempt: SocketAttempt): Promise<Observation> {
  let facts: IcmpFacts | undefined;
  try {
    const target = await resolveTimed(check, attempt);
    facts = { address: target.address, ipProtocol: target.version, setupSeconds: 0, rttSeconds: 0 };
    attempt.signal.throwIfAborted();
    const refused = vetoed(attempt.vet, check.target, target.address, 0) ?? sourceProblem(check, target);
    if (refused !== undefined) throw refused;
    await ping(check, attempt, target, facts);
    return withFacts(attempt.observe(), facts);
  } catch (err) {
    return withFacts(attempt.fail(err), facts);
  }
}

/** Creates the ICMP probe (kind `icmp`); it holds no state between runs (a socket per echo). */
export function createIcmpProbe(): Probe<ResolvedIcmpCheck> {
  return socketProbe<ResolvedIcmpCheck>('icmp', attemptIcmp);
}
