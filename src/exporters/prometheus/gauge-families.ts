/** The per-check gauges: the latest result's facts, blackbox_exporter's and canary's own. */
import { GRPC_SERVING_STATUSES } from '../../config/schema/grpc.js';
import type { CheckState } from './check-state.js';
import { extraLabels, line, NEWLINE, ONE, opener, single, ZERO, type CheckFamily, type Pieces } from './lines.js';
import { BLACKBOX, CANARY, HTTP_PHASES, type Family } from './vocabulary.js';
import { escapeLabelValue, utf8, type ExpositionWriter } from './writer.js';

const hasResult = (s: CheckState): boolean => s.hasResult;
const isHttp = (s: CheckState): boolean => s.hasResult && (s.kind === 'http' || s.kind === 'flow');
const isDns = (s: CheckState): boolean => s.hasResult && s.kind === 'dns';
const isGrpc = (s: CheckState): boolean => s.hasResult && s.kind === 'grpc';

/** `probe_success`, `probe_duration_seconds`, `probe_dns_lookup_time_seconds`: every kind. */
export function commonGauges(p: Pieces): CheckFamily[] {
  return [
    single(BLACKBOX.success, p, hasResult, (s, w) => w.value(s.success)),
    single(BLACKBOX.duration, p, hasResult, (s, w) => w.seconds(s.duration)),
    single(BLACKBOX.dnsLookup, p, hasResult, (s, w) => w.seconds(s.dnsLookup)),
  ];
}

/** `probe_http_*`: http and flow checks (a flow shows its last step's response and summed phases). */
export function httpGauges(p: Pieces): CheckFamily[] {
  const phaseLabels = [...extraLabels('phase', HTTP_PHASES).values()];
  const open = opener(BLACKBOX.httpPhase.name);
  const phases: CheckFamily = {
    family: BLACKBOX.httpPhase,
    has: (s) => isHttp(s) && s.phases !== undefined,
    write(s, w) {
      const values = s.phases as Float64Array;
      for (let i = 0; i < phaseLabels.length; i++) {
        line(w, open, s, p, phaseLabels[i]);
        w.seconds(values[i] as number);
        w.byte(NEWLINE);
      }
    },
  };
  return [
    single(BLACKBOX.httpStatus, p, isHttp, (s, w) => w.value(s.httpStatus)),
    phases,
    single(BLACKBOX.httpRedirects, p, isHttp, (s, w) => w.value(s.httpRedirects)),
    single(BLACKBOX.httpSsl, p, isHttp, (s, w) => w.value(s.httpSsl)),
    single(BLACKBOX.httpVersion, p, isHttp, (s, w) => w.value(s.httpVersion)),
    single(BLACKBOX.httpContentLength, p, isHttp, (s, w) => w.value(s.httpContentLength)),
  ];
}

/** Certificate expiry and TLS version: any kind, while the latest run had TLS facts. */
export function tlsGauges(p: Pieces): CheckFamily[] {
  const versions = new Map<string, Uint8Array>();
  const open = opener(BLACKBOX.tlsVersion.name);
  const version: CheckFamily = {
    family: BLACKBOX.tlsVersion,
    has: (s) => s.tlsVersion !== undefined,
    write(s, w) {
      const name = s.tlsVersion as string;
      let label = versions.get(name);
      if (label === undefined) versions.set(name, (label = utf8(`,version="${escapeLabelValue(name)}"`)));
      line(w, open, s, p, label);
      w.byte(ONE); // always 1, as blackbox sets it
      w.byte(NEWLINE);
    },
  };
  return [single(BLACKBOX.sslEarliestExpiry, p, (s) => s.tlsExpiry !== undefined, (s, w) => w.value(s.tlsExpiry as number)), version];
}

/** `probe_dns_*`: dns checks; a run without an answer shows them at 0 (rcode -1), as blackbox does. */
export function dnsGauges(p: Pieces): CheckFamily[] {
  return [
    single(BLACKBOX.dnsAnswerRrs, p, isDns, (s, w) => w.value(s.dnsAnswers)),
    single(BLACKBOX.dnsAuthorityRrs, p, isDns, (s, w) => w.value(s.dnsAuthority)),
    single(BLACKBOX.dnsAdditionalRrs, p, isDns, (s, w) => w.value(s.dnsAdditional)),
    single(BLACKBOX.dnsQuerySucceeded, p, isDns, (s, w) => w.value(s.dnsSucceeded)),
    // The serial exists only while the answer carries an SOA record.
    single(BLACKBOX.dnsSerial, p, (s) => isDns(s) && s.dnsSerial !== undefined, (s, w) => w.value(s.dnsSerial as number)),
    single(CANARY.dnsRcode, p, isDns, (s, w) => w.value(s.dnsRcode)),
  ];
}

/** `probe_grpc_*`: grpc checks; one health series per serving status, 1 for the one seen. */
export function grpcGauges(p: Pieces): CheckFamily[] {
  const statuses = [...extraLabels('serving_status', GRPC_SERVING_STATUSES)];
  const open = opener(BLACKBOX.grpcHealth.name);
  const health: CheckFamily = {
    family: BLACKBOX.grpcHealth,
    has: isGrpc,
    write(s, w) {
      for (const [status, label] of statuses) {
        line(w, open, s, p, label);
        w.byte(s.grpcServing === status ? ONE : ZERO);
        w.byte(NEWLINE);
      }
    },
  };
  return [single(BLACKBOX.grpcStatusCode, p, isGrpc, (s, w) => w.value(s.grpcStatus)), single(BLACKBOX.grpcSsl, p, isGrpc, (s, w) => w.value(s.grpcSsl)), health];
}

/** A family with one series per step of the latest flow run. */
function stepGauge(family: Family, p: Pieces, value: (step: { ok: boolean; seconds: number }, w: ExpositionWriter) => void): CheckFamily {
  const open = opener(family.name);
  return {
    family,
    has: (s) => s.kind === 'flow' && s.flowSteps !== undefined && s.flowSteps.length > 0,
    write(s, w) {
      for (const step of s.flowSteps ?? []) {
        line(w, open, s, p, step.label);
        value(step, w);
        w.byte(NEWLINE);
      }
    },
  };
}

/** `probe_flow_step_*`: the steps the latest flow run reached. */
export function flowGauges(p: Pieces): CheckFamily[] {
  return [
    stepGauge(CANARY.flowStepSuccess, p, (step, w) => w.byte(step.ok ? ONE : ZERO)),
    stepGauge(CANARY.flowStepDuration, p, (step, w) => w.seconds(step.seconds)),
  ];
}
