/** The per-check gauges: the latest result's facts, blackbox_exporter's and canary's own. */
import { F, FLAG, I, KIND, STEP, TLS_VERSIONS } from './store/columns.js';
import { line, NEWLINE, ONE, opener, openers, single, ZERO, type CheckFamily, type Row } from './lines.js';
import {
  BLACKBOX,
  CANARY,
  GRPC_SERVING_STATUSES,
  HTTP_PHASES,
  ICMP_PHASES,
  WEBSOCKET,
  WEBSOCKET_PHASES,
  type Family,
} from './vocabulary.js';
import type { ExpositionWriter } from './writer.js';

const hasResult = (r: Row): boolean => r.view.has(r.slot, FLAG.hasResult);
const isHttp = (r: Row): boolean => (r.kind === KIND.http || r.kind === KIND.flow) && hasResult(r);
const isDns = (r: Row): boolean => r.kind === KIND.dns && hasResult(r);
const isGrpc = (r: Row): boolean => r.kind === KIND.grpc && hasResult(r);
const isIcmp = (r: Row): boolean => r.kind === KIND.icmp && hasResult(r);
const hasTls = (r: Row): boolean => r.view.has(r.slot, FLAG.tls | FLAG.hasResult);

/** `probe_success`, `probe_duration_seconds`, `probe_dns_lookup_time_seconds`: every kind. */
export function commonGauges(): CheckFamily[] {
  return [
    single(BLACKBOX.success, hasResult, F.success),
    single(BLACKBOX.duration, hasResult, F.duration, true),
    single(BLACKBOX.dnsLookup, hasResult, F.dnsLookup, true),
  ];
}

/** One series per phase of a `{phase}` family, read from `phases.length` columns from `first`. */
function phaseFamily(family: Family, phases: readonly string[], has: (r: Row) => boolean, first: number): CheckFamily {
  const phaseOpeners = openers(family.name, 'phase', phases);
  return {
    family,
    has,
    write(r, w) {
      for (let i = 0; i < phaseOpeners.length; i++) {
        line(w, phaseOpeners[i] as Uint8Array, r);
        w.seconds(r.view.num(first + i, r.slot));
        w.byte(NEWLINE);
      }
    },
  };
}

/** `probe_http_*`: http and flow checks (a flow shows its last step's response and summed phases). */
export function httpGauges(): CheckFamily[] {
  const phases = phaseFamily(BLACKBOX.httpPhase, HTTP_PHASES, isHttp, F.phases);
  return [
    single(BLACKBOX.httpStatus, isHttp, F.httpStatus),
    phases,
    single(BLACKBOX.httpRedirects, isHttp, F.httpRedirects),
    single(BLACKBOX.httpSsl, isHttp, F.httpSsl),
    single(BLACKBOX.httpVersion, isHttp, F.httpVersion),
    single(BLACKBOX.httpContentLength, isHttp, F.httpContentLength),
  ];
}

/** Certificate expiry and TLS version: any kind, while the latest run had TLS facts. */
export function tlsGauges(): CheckFamily[] {
  const versions = openers(BLACKBOX.tlsVersion.name, 'version', TLS_VERSIONS);
  const version: CheckFamily = {
    family: BLACKBOX.tlsVersion,
    has: (r) => hasTls(r) && r.view.int(I.tlsVersion, r.slot) >= 0,
    write(r, w) {
      line(w, versions[r.view.int(I.tlsVersion, r.slot)] as Uint8Array, r);
      w.byte(ONE); // always 1, as blackbox sets it
      w.byte(NEWLINE);
    },
  };
  return [single(BLACKBOX.sslEarliestExpiry, hasTls, F.tlsExpiry), version];
}

/** `probe_dns_*`: dns checks; a run without an answer shows them at 0 (rcode -1), as blackbox does. */
export function dnsGauges(): CheckFamily[] {
  return [
    single(BLACKBOX.dnsAnswerRrs, isDns, F.dnsAnswers),
    single(BLACKBOX.dnsAuthorityRrs, isDns, F.dnsAuthority),
    single(BLACKBOX.dnsAdditionalRrs, isDns, F.dnsAdditional),
    single(BLACKBOX.dnsQuerySucceeded, isDns, F.dnsSucceeded),
    // The serial exists only while the answer carries an SOA record.
    single(BLACKBOX.dnsSerial, (r) => isDns(r) && r.view.has(r.slot, FLAG.dnsSerial), F.dnsSerial),
    single(CANARY.dnsRcode, isDns, F.dnsRcode),
  ];
}

/** `probe_grpc_*`: grpc checks; one health series per serving status, 1 for the one seen. */
export function grpcGauges(): CheckFamily[] {
  const statuses = openers(BLACKBOX.grpcHealth.name, 'serving_status', GRPC_SERVING_STATUSES);
  const health: CheckFamily = {
    family: BLACKBOX.grpcHealth,
    has: isGrpc,
    write(r, w) {
      const serving = r.view.int(I.grpcServing, r.slot);
      statuses.forEach((open, index) => {
        line(w, open, r);
        w.byte(serving === index ? ONE : ZERO);
        w.byte(NEWLINE);
      });
    },
  };
  return [single(BLACKBOX.grpcStatusCode, isGrpc, F.grpcStatus), single(BLACKBOX.grpcSsl, isGrpc, F.grpcSsl), health];
}

/** `probe_websocket_*`: websocket checks; a run without an answer shows them at 0, as http's. */
export function websocketGauges(): CheckFamily[] {
  const isWebsocket = (r: Row): boolean => r.kind === KIND.websocket && hasResult(r);
  const phases = phaseFamily(WEBSOCKET.phase, WEBSOCKET_PHASES, isWebsocket, F.websocketPhases);
  return [
    phases,
    single(WEBSOCKET.statusCode, isWebsocket, F.websocketStatus),
    single(WEBSOCKET.ssl, isWebsocket, F.websocketSsl),
  ];
}

/** `probe_icmp_*`: icmp checks; a phase series each, and the hop limit once a reply told it. */
export function icmpGauges(): CheckFamily[] {
  const phases = phaseFamily(BLACKBOX.icmpPhase, ICMP_PHASES, isIcmp, F.icmpPhases);
  const hasHopLimit = (r: Row): boolean => isIcmp(r) && r.view.has(r.slot, FLAG.icmpHopLimit);
  return [phases, single(BLACKBOX.icmpReplyHopLimit, hasHopLimit, F.icmpHopLimit)];
}

/**
 * A family with one series per step of a flow run (or browser journey): `name{step="NAME",` then the check's
 * part. `shown` picks the steps that have a series (reached by the latest run, or ever).
 */
export function stepFamily(
  family: Family,
  has: (r: Row) => boolean,
  shown: (flow: Float64Array, at: number) => boolean,
  value: (flow: Float64Array, at: number, w: ExpositionWriter) => void,
): CheckFamily {
  const open = opener(family.name);
  return {
    family,
    has,
    write(r, w) {
      const offset = r.plan.flowOffsets[r.k] as number;
      const labels = r.plan.stepLabels[r.k] ?? [];
      for (let step = 0; step < labels.length; step++) {
        const at = offset + step * STEP.size;
        if (!shown(r.view.flow, at)) continue;
        w.bytes(open);
        w.bytes(labels[step] as Uint8Array);
        w.bytes(r.plan.tails[r.k] as Uint8Array);
        value(r.view.flow, at, w);
        w.byte(NEWLINE);
      }
    },
  };
}

/** `probe_flow_step_*`: the steps the latest flow run reached. */
export function flowGauges(): CheckFamily[] {
  const isFlow = (r: Row): boolean => r.kind === KIND.flow && hasResult(r);
  const reached = (flow: Float64Array, at: number): boolean => flow[at + STEP.reached] === 1;
  return [
    stepFamily(CANARY.flowStepSuccess, isFlow, reached, (flow, at, w) => w.byte(flow[at + STEP.ok] === 1 ? ONE : ZERO)),
    stepFamily(CANARY.flowStepDuration, isFlow, reached, (flow, at, w) => w.seconds(flow[at + STEP.seconds] as number)),
  ];
}

/** `probe_browser_*`: the steps the latest journey reached, and the web vitals it measured. */
export function browserGauges(): CheckFamily[] {
  const isBrowser = (r: Row): boolean => r.kind === KIND.browser && hasResult(r);
  const reached = (flow: Float64Array, at: number): boolean => flow[at + STEP.reached] === 1;
  const measured = (flag: number) => (r: Row) => isBrowser(r) && r.view.has(r.slot, flag);
  return [
    stepFamily(CANARY.browserStepSuccess, isBrowser, reached, (flow, at, w) =>
      w.byte(flow[at + STEP.ok] === 1 ? ONE : ZERO),
    ),
    stepFamily(CANARY.browserStepDuration, isBrowser, reached, (flow, at, w) =>
      w.seconds(flow[at + STEP.seconds] as number),
    ),
    single(CANARY.browserLcp, measured(FLAG.browserLcp), F.browserLcp, true),
    single(CANARY.browserCls, measured(FLAG.browserCls), F.browserCls),
    single(CANARY.browserTtfb, measured(FLAG.browserTtfb), F.browserTtfb, true),
  ];
}
