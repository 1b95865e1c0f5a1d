/** The per-check gauges: the latest result's facts, blackbox_exporter's and canary's own. */
import { F, FLAG, I, KIND, STEP, TLS_VERSIONS } from './store/columns.js';
import { extraLabels, line, NEWLINE, ONE, opener, single, ZERO, type CheckFamily, type Pieces, type Row } from './lines.js';
import { BLACKBOX, CANARY, GRPC_SERVING_STATUSES, HTTP_PHASES, type Family } from './vocabulary.js';
import type { ExpositionWriter } from './writer.js';

const hasResult = (r: Row): boolean => r.view.has(r.slot, FLAG.hasResult);
const isHttp = (r: Row): boolean => (r.kind === KIND.http || r.kind === KIND.flow) && hasResult(r);
const isDns = (r: Row): boolean => r.kind === KIND.dns && hasResult(r);
const isGrpc = (r: Row): boolean => r.kind === KIND.grpc && hasResult(r);
const hasTls = (r: Row): boolean => r.view.has(r.slot, FLAG.tls | FLAG.hasResult);

/** `probe_success`, `probe_duration_seconds`, `probe_dns_lookup_time_seconds`: every kind. */
export function commonGauges(p: Pieces): CheckFamily[] {
  return [
    single(BLACKBOX.success, p, hasResult, F.success),
    single(BLACKBOX.duration, p, hasResult, F.duration, true),
    single(BLACKBOX.dnsLookup, p, hasResult, F.dnsLookup, true),
  ];
}

/** `probe_http_*`: http and flow checks (a flow shows its last step's response and summed phases). */
export function httpGauges(p: Pieces): CheckFamily[] {
  const phaseLabels = [...extraLabels('phase', HTTP_PHASES).values()];
  const open = opener(BLACKBOX.httpPhase.name);
  const phases: CheckFamily = {
    family: BLACKBOX.httpPhase,
    has: isHttp,
    write(r, w) {
      for (let i = 0; i < phaseLabels.length; i++) {
        line(w, open, r, p, phaseLabels[i]);
        w.seconds(r.view.num(F.phases + i, r.slot));
        w.byte(NEWLINE);
      }
    },
  };
  return [
    single(BLACKBOX.httpStatus, p, isHttp, F.httpStatus),
    phases,
    single(BLACKBOX.httpRedirects, p, isHttp, F.httpRedirects),
    single(BLACKBOX.httpSsl, p, isHttp, F.httpSsl),
    single(BLACKBOX.httpVersion, p, isHttp, F.httpVersion),
    single(BLACKBOX.httpContentLength, p, isHttp, F.httpContentLength),
  ];
}

/** Certificate expiry and TLS version: any kind, while the latest run had TLS facts. */
export function tlsGauges(p: Pieces): CheckFamily[] {
  const versions = [...extraLabels('version', TLS_VERSIONS).values()];
  const open = opener(BLACKBOX.tlsVersion.name);
  const version: CheckFamily = {
    family: BLACKBOX.tlsVersion,
    has: (r) => hasTls(r) && r.view.int(I.tlsVersion, r.slot) >= 0,
    write(r, w) {
      line(w, open, r, p, versions[r.view.int(I.tlsVersion, r.slot)]);
      w.byte(ONE); // always 1, as blackbox sets it
      w.byte(NEWLINE);
    },
  };
  return [single(BLACKBOX.sslEarliestExpiry, p, hasTls, F.tlsExpiry), version];
}

/** `probe_dns_*`: dns checks; a run without an answer shows them at 0 (rcode -1), as blackbox does. */
export function dnsGauges(p: Pieces): CheckFamily[] {
  return [
    single(BLACKBOX.dnsAnswerRrs, p, isDns, F.dnsAnswers),
    single(BLACKBOX.dnsAuthorityRrs, p, isDns, F.dnsAuthority),
    single(BLACKBOX.dnsAdditionalRrs, p, isDns, F.dnsAdditional),
    single(BLACKBOX.dnsQuerySucceeded, p, isDns, F.dnsSucceeded),
    // The serial exists only while the answer carries an SOA record.
    single(BLACKBOX.dnsSerial, p, (r) => isDns(r) && r.view.has(r.slot, FLAG.dnsSerial), F.dnsSerial),
    single(CANARY.dnsRcode, p, isDns, F.dnsRcode),
  ];
}

/** `probe_grpc_*`: grpc checks; one health series per serving status, 1 for the one seen. */
export function grpcGauges(p: Pieces): CheckFamily[] {
  const statuses = [...extraLabels('serving_status', GRPC_SERVING_STATUSES).values()];
  const open = opener(BLACKBOX.grpcHealth.name);
  const health: CheckFamily = {
    family: BLACKBOX.grpcHealth,
    has: isGrpc,
    write(r, w) {
      const serving = r.view.int(I.grpcServing, r.slot);
      statuses.forEach((label, index) => {
        line(w, open, r, p, label);
        w.byte(serving === index ? ONE : ZERO);
        w.byte(NEWLINE);
      });
    },
  };
  return [single(BLACKBOX.grpcStatusCode, p, isGrpc, F.grpcStatus), single(BLACKBOX.grpcSsl, p, isGrpc, F.grpcSsl), health];
}

/** A family with one series per step the latest flow run reached. */
function stepGauge(family: Family, p: Pieces, field: number, value: (n: number, w: ExpositionWriter) => void): CheckFamily {
  const open = opener(family.name);
  return {
    family,
    has: (r) => r.kind === KIND.flow && hasResult(r),
    write(r, w) {
      const offset = r.plan.flowOffsets[r.k] as number;
      const labels = r.plan.stepLabels[r.k] ?? [];
      for (let step = 0; step < labels.length; step++) {
        const at = offset + step * STEP.size;
        if (r.view.flow[at + STEP.reached] !== 1) continue;
        line(w, open, r, p, labels[step]);
        value(r.view.flow[at + field] as number, w);
        w.byte(NEWLINE);
      }
    },
  };
}

/** `probe_flow_step_*`: the steps the latest flow run reached. */
export function flowGauges(p: Pieces): CheckFamily[] {
  return [
    stepGauge(CANARY.flowStepSuccess, p, STEP.ok, (ok, w) => w.byte(ok === 1 ? ONE : ZERO)),
    stepGauge(CANARY.flowStepDuration, p, STEP.seconds, (seconds, w) => w.seconds(seconds)),
  ];
}
