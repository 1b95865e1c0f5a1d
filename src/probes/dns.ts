/**
 * The DNS probe: one query for the check's target name, of `dns.type`, to `dns.server`
 * (default: the system resolver's first nameserver) over UDP or TCP, with its own small
 * client rather than node's resolver, which can neither use TCP nor report the rcode.
 * Messages are built and parsed with dns-packet.
 *
 * Any well-formed answer is `ok: true`, whatever its rcode: NXDOMAIN from an
 * authoritative server is an answer, and the `rcode` expectation (default NOERROR) judges
 * it. No answer in time is `timeout`; a refused TCP port or an ICMP port unreachable is
 * `refused`; a malformed answer is `protocol`. `dnsLookupSeconds` is the query's round trip
 * (after connecting, over TCP); phases: `connect` over TCP only.
 */
import { getServers } from 'node:dns';
import { randomInt } from 'node:crypto';
import * as packet from 'dns-packet';
import { parseServer } from '../config/schema/dns.js';
import type { ResolvedDnsCheck } from '../config/types.js';
import { errorMessage } from '../errors.js';
import { FAILURE_REASONS } from '../results/reasons.js';
import type { DnsFacts, Observation } from '../results/types.js';
import { ProbeFailure } from './http/classify.js';
import { recordText, soaSerial } from './dns/records.js';
import { exchangeTcp, exchangeUdp, type Server } from './dns/transport.js';
import type { SocketAttempt } from './socket/attempt.js';
import { socketProbe } from './socket/probe.js';
import type { Probe } from './types.js';

function serverOf(check: ResolvedDnsCheck): Server {
  const configured = check.dns.server ?? getServers()[0];
  const server = configured === undefined ? undefined : parseServer(configured);
  if (server === undefined)
    throw new ProbeFailure(FAILURE_REASONS.dns, 'no dns.server set and the system resolver has no nameserver');
  return server;
}

function query(check: ResolvedDnsCheck): Buffer {
  return packet.encode({
    type: 'query',
    id: randomInt(0, 65_536),
    flags: check.dns.recursion ? packet.RECURSION_DESIRED : 0,
    // dns-packet encodes ANY (255) though its type declarations leave it out.
    questions: [{ type: check.dns.type as packet.RecordType, name: check.target.replace(/\.$/, ''), class: 'IN' }],
  });
}

function decode(answer: Buffer): DnsFacts {
  let decoded: packet.DecodedPacket;
  try {
    decoded = packet.decode(answer);
  } catch (err) {
    throw new ProbeFailure(FAILURE_REASONS.protocol, `malformed DNS answer: ${errorMessage(err)}`);
  }
  const rcodeValue = (decoded.flags ?? 0) & 0xf;
  const facts: DnsFacts = {
    rcode: (decoded as { rcode?: string }).rcode ?? `RCODE${rcodeValue}`,
    rcodeValue,
    answers: (decoded.answers ?? []).map(recordText),
    authority: (decoded.authorities ?? []).map(recordText),
    additional: (decoded.additionals ?? []).map(recordText),
    authoritative: decoded.flag_aa,
    truncated: decoded.flag_tc,
  };
  const serial = soaSerial(decoded.answers, decoded.authorities);
  if (serial !== undefined) facts.serial = serial;
  return facts;
}

async function ask(check: ResolvedDnsCheck, attempt: SocketAttempt): Promise<Observation> {
  try {
    const server = serverOf(check);
    const message = query(check);
    const sentAt = performance.now();
    attempt.stage = 'the answer';
    const exchange = check.dns.transport === 'tcp' ? exchangeTcp : exchangeUdp;
    const answer = await exchange(server, message, attempt);
    const observation = attempt.observe();
    // The round trip of the query itself: a TCP connect is its own phase.
    observation.dnsLookupSeconds = Math.max(0, (performance.now() - sentAt) / 1000 - (observation.phases.connect ?? 0));
    observation.dns = decode(answer);
    return observation;
  } catch (err) {
    return attempt.fail(err);
  }
}

/** Creates the DNS probe (kind `dns`); it holds no state between runs. */
export function createDnsProbe(): Probe<ResolvedDnsCheck> {
  return socketProbe<ResolvedDnsCheck>('dns', ask);
}
