/**
 * Span attributes and events of the probe kinds other than HTTP: OpenTelemetry semantic
 * conventions where they name the fact (`server.*`, `network.transport`, `rpc.*`,
 * `dns.question.name`, `tls.*`), `canary.*` where none does. One function per kind, so
 * a new kind adds a function here and a line in each dispatcher.
 */
import { getServers } from 'node:dns';
import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import { splitHostPort } from '../../config/schema/base.js';
import { parseServer } from '../../config/schema/dns.js';
import type {
  ResolvedCheck,
  ResolvedDnsCheck,
  ResolvedFlowCheck,
  ResolvedGrpcCheck,
  ResolvedWebsocketCheck,
} from '../../config/types.js';
import { redactUrl } from '../../net/redact-url.js';
import type {
  CheckResult,
  DnsFacts,
  FlowFacts,
  GrpcFacts,
  TcpFacts,
  TlsFacts,
  WebsocketFacts,
  IcmpFacts,
} from '../../results/types.js';
import { browserAttributes, browserRequestAttributes } from './browser-attributes.js';
import type { PhaseEvent } from './span-event.js';

/** Answer records put on a span; a zone transfer's worth would only bloat the export. */
const MAX_DNS_ANSWERS = 20;

/** `server.address`/`server.port` of a `host:port` target, IPv6 without brackets. */
function hostPortAttributes(target: string): Attributes {
  const split = splitHostPort(target);
  return split === undefined ? {} : { [ATTR_SERVER_ADDRESS]: split.host, [ATTR_SERVER_PORT]: split.port };
}

/** The standard health call, as the RPC conventions name it. */
function grpcRequestAttributes(check: ResolvedGrpcCheck): Attributes {
  return {
    ...hostPortAttributes(check.target),
    'network.transport': 'tcp',
    'rpc.system': 'grpc',
    'rpc.service': 'grpc.health.v1.Health',
    'rpc.method': 'Check',
    ...(check.grpc.service ? { 'canary.grpc.service': check.grpc.service } : {}),
  };
}

/** The question, and the nameserver asked: the configured one or, as the probe picks it, the system's first. */
function dnsRequestAttributes(check: ResolvedDnsCheck): Attributes {
  const configured = check.dns.server ?? getServers()[0];
  const server = configured === undefined ? undefined : parseServer(configured);
  return {
    ...(server ? { [ATTR_SERVER_ADDRESS]: server.host, [ATTR_SERVER_PORT]: server.port } : {}),
    'network.transport': check.dns.transport,
    'dns.question.name': check.target,
    'canary.dns.type': check.dns.type,
  };
}

/** The flow's base URL as the server; steps may go elsewhere, each step's own event says how it went. */
function flowRequestAttributes(check: ResolvedFlowCheck): Attributes {
  const url = new URL(check.target);
  const scheme = url.protocol.slice(0, -1);
  return {
    [ATTR_SERVER_ADDRESS]: url.hostname.replace(/^\[|\]$/g, ''),
    [ATTR_SERVER_PORT]: url.port ? Number(url.port) : scheme === 'https' ? 443 : 80,
    'network.transport': 'tcp',
    'canary.flow.steps': check.flow.steps.length,
  };
}

/** The URL as the conventions name it; the upgrade is an HTTP GET, so its status is `http.response.status_code`. */
function websocketRequestAttributes(check: ResolvedWebsocketCheck): Attributes {
  const url = new URL(check.target);
  const scheme = url.protocol.slice(0, -1);
  return {
    [ATTR_URL_FULL]: redactUrl(check.target),
    [ATTR_URL_SCHEME]: scheme,
    [ATTR_SERVER_ADDRESS]: url.hostname.replace(/^\[|\]$/g, ''),
    [ATTR_SERVER_PORT]: url.port ? Number(url.port) : scheme === 'wss' ? 443 : 80,
    'network.transport': 'tcp',
    'network.protocol.name': 'websocket',
    'canary.websocket.steps': check.websocket.steps.length,
  };
}

/** Attributes of a non-HTTP CLIENT span known before the probe starts. */
export function kindRequestAttributes(check: ResolvedCheck): Attributes {
  const common = { 'canary.check': check.name };
  switch (check.kind) {
    case 'tcp':
    case 'tls':
      return { ...hostPortAttributes(check.target), 'network.transport': 'tcp', ...common };
    case 'grpc':
      return { ...grpcRequestAttributes(check), ...common };
    case 'dns':
      return { ...dnsRequestAttributes(check), ...common };
    case 'flow':
      return { ...flowRequestAttributes(check), ...common };
    case 'unix':
      // The semantic conventions name a unix socket by its path in server.address.
      return { [ATTR_SERVER_ADDRESS]: check.target, 'network.transport': 'unix', ...common };
    case 'websocket':
      return { ...websocketRequestAttributes(check), ...common };
    case 'icmp':
      return { [ATTR_SERVER_ADDRESS]: check.target, 'network.protocol.name': 'icmp', ...common };
    case 'browser':
      return { ...browserRequestAttributes(check), ...common };
    default:
      return common;
  }
}

/** How far the conversation got. */
function tcpAttributes(tcp: TcpFacts, kind: 'tcp' | 'unix' = 'tcp'): Attributes {
  return { [`canary.${kind}.steps_completed`]: tcp.stepsCompleted, [`canary.${kind}.ssl`]: tcp.ssl };
}

/** Certificate verdicts of the tls and tcp probes; version and cipher are in `responseAttributes`. */
function tlsAttributes(tls: TlsFacts): Attributes {
  const attributes: Attributes = { 'tls.established': true };
  if (tls.chainLength !== undefined) attributes['canary.tls.chain_length'] = tls.chainLength;
  if (tls.verified !== undefined) attributes['canary.tls.verified'] = tls.verified;
  if (tls.verifyError !== undefined) attributes['canary.tls.verify_error'] = tls.verifyError;
  if (tls.hostnameMatch !== undefined) attributes['canary.tls.hostname_match'] = tls.hostnameMatch;
  return attributes;
}

function dnsAttributes(dns: DnsFacts): Attributes {
  return {
    'canary.dns.rcode': dns.rcode,
    'canary.dns.answer_count': dns.answers.length,
    'canary.dns.answers': dns.answers.slice(0, MAX_DNS_ANSWERS),
    'canary.dns.authoritative': dns.authoritative,
    'canary.dns.truncated': dns.truncated,
  };
}

function grpcAttributes(grpc: GrpcFacts): Attributes {
  return {
    'rpc.grpc.status_code': grpc.statusCode,
    ...(grpc.servingStatus !== undefined ? { 'canary.grpc.serving_status': grpc.servingStatus } : {}),
  };
}

function flowAttributes(flow: FlowFacts): Attributes {
  return {
    'canary.flow.steps_run': flow.steps.length,
    ...(flow.failedStep !== undefined ? { 'canary.flow.failed_step': flow.failedStep } : {}),
  };
}

function websocketAttributes(ws: WebsocketFacts): Attributes {
  const attributes: Attributes = {
    'canary.websocket.steps_completed': ws.stepsCompleted,
    'canary.websocket.ssl': ws.ssl,
  };
  if (ws.status > 0) attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] = ws.status;
  if (ws.subprotocol !== undefined) attributes['canary.websocket.subprotocol'] = ws.subprotocol;
  if (ws.closeCode !== undefined) attributes['canary.websocket.close_code'] = ws.closeCode;
  if (ws.upgradeSeconds !== undefined) attributes['canary.websocket.upgrade_s'] = ws.upgradeSeconds;
  if (ws.firstMessageSeconds !== undefined) attributes['canary.websocket.first_message_s'] = ws.firstMessageSeconds;
  return attributes;
}

/** The address pinged (the conventions' peer), its family, and how the echo went. */
function icmpAttributes(icmp: IcmpFacts): Attributes {
  const attributes: Attributes = {};
  if (icmp.address !== undefined) attributes['network.peer.address'] = icmp.address;
  if (icmp.ipProtocol !== 0) attributes['network.type'] = icmp.ipProtocol === 6 ? 'ipv6' : 'ipv4';
  if (icmp.socket !== undefined) attributes['canary.icmp.socket'] = icmp.socket;
  if (icmp.hopLimit !== undefined) attributes['canary.icmp.reply_hop_limit'] = icmp.hopLimit;
  attributes['canary.icmp.rtt_seconds'] = icmp.rttSeconds;
  return attributes;
}

/** Attributes of the CLIENT span from what a non-HTTP probe observed; empty for HTTP. */
export function kindResponseAttributes(result: CheckResult): Attributes {
  const o = result.observation;
  return {
    ...(o.tcp ? tcpAttributes(o.tcp) : {}),
    ...(o.unix ? tcpAttributes(o.unix, 'unix') : {}),
    ...(o.tls && result.kind !== 'http' ? tlsAttributes(o.tls) : {}),
    ...(o.dns ? dnsAttributes(o.dns) : {}),
    ...(o.grpc ? grpcAttributes(o.grpc) : {}),
    ...(o.flow ? flowAttributes(o.flow) : {}),
    ...(o.websocket ? websocketAttributes(o.websocket) : {}),
    ...(o.icmp ? icmpAttributes(o.icmp) : {}),
    ...(o.browser ? browserAttributes(o.browser) : {}),
  };
}

/**
 * One event per flow step that ran, named after the step and stamped at its end; the
 * steps run one after another, so laying them back to back from the span's start is exact
 * up to the small gaps between steps.
 */
export function flowStepEvents(result: CheckResult, startMs: number): PhaseEvent[] {
  const events: PhaseEvent[] = [];
  let at = startMs;
  for (const step of result.observation.flow?.steps ?? []) {
    at += step.durationSeconds * 1000;
    const attributes: Attributes = {
      'canary.flow.step': step.name,
      'canary.flow.step.ok': step.ok,
      'canary.flow.step.duration_s': step.durationSeconds,
    };
    if (step.status !== undefined) attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] = step.status;
    if (step.reason !== undefined) attributes['canary.reason'] = step.reason;
    events.push({ name: step.name, time: at, attributes });
  }
  return events;
}

/**
 * The websocket phases after the socket's (`upgrade`, `first_message`) as events in the
 * form of the socket phases' events, laid after them: the phases happen one after another.
 */
export function websocketPhaseEvents(result: CheckResult, startMs: number): PhaseEvent[] {
  const ws = result.observation.websocket;
  if (ws === undefined) return [];
  const { resolve = 0, connect = 0, tls = 0 } = result.observation.phases;
  let at = startMs + (resolve + connect + tls) * 1000;
  const events: PhaseEvent[] = [];
  for (const [phase, seconds] of [
    ['upgrade', ws.upgradeSeconds],
    ['first_message', ws.firstMessageSeconds],
  ] as const) {
    if (seconds === undefined) continue;
    at += seconds * 1000;
    events.push({ name: phase, time: at, attributes: { 'canary.phase': phase, 'canary.phase.duration_s': seconds } });
  }
  return events;
}
