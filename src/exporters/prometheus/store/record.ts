/** How a result becomes numbers in a check's slot: a few dozen stores, no allocation. */
import type { CheckResult } from '../../../results/types.js';
import {
  contentLength,
  GRPC_SERVING_STATUSES,
  grpcStatusCode,
  httpVersionValue,
  PROBE_DURATION_BUCKETS,
  tlsVersionName,
} from '../vocabulary.js';
import { BUCKETS, EXEMPLAR_ID_BYTES, F, FLAG, HIST, I, KIND, REASONS, STEP, TLS_VERSIONS } from './columns.js';
import type { StoreView } from './views.js';

/** What the recorder knows of a check beyond its slot. */
export interface SlotInfo {
  slot: number;
  kind: number;
  full: boolean;
  /** Flow and browser checks: where their steps start in the flow block, and each step's index by name. */
  flow?: { offset: number; steps: ReadonlyMap<string, number> };
}

const REASON_CODES = new Map(REASONS.map((reason, code) => [reason, code]));
const UNKNOWN_REASON = REASON_CODES.get('unknown') ?? 0;

function reasonCode(reason: string | undefined): number {
  return (reason === undefined ? undefined : REASON_CODES.get(reason)) ?? UNKNOWN_REASON;
}

function setFlag(v: StoreView, slot: number, flag: number, on: boolean): void {
  const flags = v.int(I.flags, slot);
  v.setInt(I.flags, slot, on ? flags | flag : flags & ~flag);
}

/** The check has a schedule: its counters' success series exist from now on, at 0. */
export function recordScheduled(v: StoreView, slot: number): void {
  setFlag(v, slot, FLAG.started, true);
}

/** One attempt of a run (retries included). */
export function recordAttempt(v: StoreView, slot: number, result: CheckResult): void {
  setFlag(v, slot, FLAG.started, true);
  v.add(F.attempts + (result.ok ? 0 : 1 + reasonCode(result.reason)), slot, 1);
}

/** A run the scheduler skipped because the previous one had not finished. */
export function recordSkip(v: StoreView, slot: number): void {
  setFlag(v, slot, FLAG.started, true);
  v.add(F.skipped, slot, 1);
}

/** A run's verdict: counted, and its facts become the gauges. */
export function recordResult(v: StoreView, info: SlotInfo, result: CheckResult): void {
  const { slot } = info;
  setFlag(v, slot, FLAG.started | FLAG.hasResult, true);
  v.add(F.runs + (result.ok ? 0 : 1 + reasonCode(result.reason)), slot, 1);
  v.set(F.success, slot, result.ok ? 1 : 0);
  v.set(F.duration, slot, result.durationSeconds);
  const tls = result.observation.tls;
  setFlag(v, slot, FLAG.tls, tls !== undefined);
  if (tls !== undefined) {
    v.set(F.tlsExpiry, slot, tls.earliestCertExpiry);
    v.setInt(I.tlsVersion, slot, TLS_VERSIONS.indexOf(tlsVersionName(tls.version)));
  }
  if (info.full) recordFull(v, info, result);
  if (info.full && result.traceId !== undefined) recordExemplar(v, slot, result, result.traceId);
}

function recordFull(v: StoreView, info: SlotInfo, result: CheckResult): void {
  const { slot } = info;
  const seconds = result.durationSeconds;
  let bucket = 0;
  while (bucket < BUCKETS && seconds > (PROBE_DURATION_BUCKETS[bucket] as number)) bucket++;
  if (bucket < BUCKETS) v.add(F.histogram + HIST.buckets + bucket, slot, 1);
  v.add(F.histogram + HIST.count, slot, 1);
  v.add(F.histogram + HIST.sum, slot, seconds);
  const obs = result.observation;
  v.set(F.dnsLookup, slot, obs.dnsLookupSeconds ?? obs.phases.resolve ?? 0);
  if (info.kind === KIND.http || info.kind === KIND.flow) recordHttp(v, slot, result);
  if (info.kind === KIND.dns) recordDns(v, slot, result);
  else if (info.kind === KIND.grpc) recordGrpc(v, slot, result);
  else if (info.kind === KIND.icmp) recordIcmp(v, slot, result);
  else if (info.kind === KIND.flow && info.flow) recordFlow(v, info.flow, result);
  else if (info.kind === KIND.websocket) recordWebsocket(v, slot, result);
  else if (info.kind === KIND.browser) recordBrowser(v, info, result);
}

/** A journey's steps as a flow's; its page's web vitals, each only while the latest run measured it. */
function recordBrowser(v: StoreView, info: SlotInfo, result: CheckResult): void {
  if (info.flow) recordFlow(v, info.flow, result);
  const vitals = result.observation.browser?.vitals ?? {};
  const measured: [number, number, number | undefined][] = [
    [FLAG.browserLcp, F.browserLcp, vitals.lcpSeconds],
    [FLAG.browserCls, F.browserCls, vitals.cls],
    [FLAG.browserTtfb, F.browserTtfb, vitals.ttfbSeconds],
  ];
  for (const [flag, col, value] of measured) {
    setFlag(v, info.slot, flag, value !== undefined);
    if (value !== undefined) v.set(col, info.slot, value);
  }
}

function recordHttp(v: StoreView, slot: number, result: CheckResult): void {
  const { http, phases } = result.observation;
  // As blackbox does, a run without a response still exports every gauge, at 0.
  v.set(F.httpStatus, slot, http?.status ?? 0);
  v.set(F.httpRedirects, slot, http?.redirects ?? 0);
  v.set(F.httpSsl, slot, http?.ssl ? 1 : 0);
  v.set(F.httpVersion, slot, httpVersionValue(http));
  v.set(F.httpContentLength, slot, contentLength(http));
  v.set(F.phases, slot, phases.resolve ?? 0);
  v.set(F.phases + 1, slot, phases.connect ?? 0);
  v.set(F.phases + 2, slot, phases.tls ?? 0);
  v.set(F.phases + 3, slot, phases.processing ?? 0);
  v.set(F.phases + 4, slot, phases.transfer ?? 0);
}

function recordDns(v: StoreView, slot: number, result: CheckResult): void {
  const dns = result.observation.dns;
  v.set(F.dnsAnswers, slot, dns?.answers.length ?? 0);
  v.set(F.dnsAuthority, slot, dns?.authority.length ?? 0);
  v.set(F.dnsAdditional, slot, dns?.additional.length ?? 0);
  v.set(F.dnsSucceeded, slot, dns ? 1 : 0);
  v.set(F.dnsRcode, slot, dns?.rcodeValue ?? -1);
  setFlag(v, slot, FLAG.dnsSerial, dns?.serial !== undefined);
  if (dns?.serial !== undefined) v.set(F.dnsSerial, slot, dns.serial);
}

function recordGrpc(v: StoreView, slot: number, result: CheckResult): void {
  const grpc = result.observation.grpc;
  v.set(F.grpcStatus, slot, grpcStatusCode(grpc?.statusCode));
  v.set(F.grpcSsl, slot, grpc?.ssl ? 1 : 0);
  v.setInt(
    I.grpcServing,
    slot,
    grpc?.servingStatus === undefined
      ? -1
      : GRPC_SERVING_STATUSES.indexOf(grpc.servingStatus as (typeof GRPC_SERVING_STATUSES)[number]),
  );
}

function recordWebsocket(v: StoreView, slot: number, result: CheckResult): void {
  const { websocket, phases } = result.observation;
  // As for http, a run that got no answer still exports every gauge, at 0.
  v.set(F.websocketStatus, slot, websocket?.status ?? 0);
  v.set(F.websocketSsl, slot, websocket?.ssl ? 1 : 0);
  v.set(F.websocketPhases, slot, phases.resolve ?? 0);
  v.set(F.websocketPhases + 1, slot, phases.connect ?? 0);
  v.set(F.websocketPhases + 2, slot, phases.tls ?? 0);
  v.set(F.websocketPhases + 3, slot, websocket?.upgradeSeconds ?? 0);
  v.set(F.websocketPhases + 4, slot, websocket?.firstMessageSeconds ?? 0);
}

/** As blackbox: every phase exists (0 when not reached); the hop limit only after a reply that told it. */
function recordIcmp(v: StoreView, slot: number, result: CheckResult): void {
  const { icmp, phases } = result.observation;
  v.set(F.icmpPhases, slot, phases.resolve ?? 0);
  v.set(F.icmpPhases + 1, slot, icmp?.setupSeconds ?? 0);
  v.set(F.icmpPhases + 2, slot, icmp?.rttSeconds ?? 0);
  setFlag(v, slot, FLAG.icmpHopLimit, icmp?.hopLimit !== undefined);
  if (icmp?.hopLimit !== undefined) v.set(F.icmpHopLimit, slot, icmp.hopLimit);
}

/** The steps the run reached become the step gauges; a failed run counts at its step. */
function recordFlow(v: StoreView, flow: NonNullable<SlotInfo['flow']>, result: CheckResult): void {
  const facts = result.observation.flow ?? result.observation.browser;
  const at = (step: number, field: number) => flow.offset + step * STEP.size + field;
  for (let step = 0; step < flow.steps.size; step++) v.flow[at(step, STEP.reached)] = 0;
  for (const step of facts?.steps ?? []) {
    const index = flow.steps.get(step.name);
    if (index === undefined) continue;
    // Once reached, a step's failure counter exists (0 until it fails), so rate() sees its first failure.
    v.flow[at(index, STEP.reached)] = 1;
    v.flow[at(index, STEP.ok)] = step.ok ? 1 : 0;
    v.flow[at(index, STEP.seconds)] = step.durationSeconds;
    if (Number.isNaN(v.flow[at(index, STEP.failures)])) v.flow[at(index, STEP.failures)] = 0;
  }
  const failed = facts?.failedStep === undefined ? undefined : flow.steps.get(facts.failedStep);
  if (failed !== undefined) v.flow[at(failed, STEP.failures)] = (v.flow[at(failed, STEP.failures)] as number) + 1;
}

/** The run becomes its bucket's exemplar (OpenMetrics shows it); ids of an unexpected shape are skipped. */
function recordExemplar(v: StoreView, slot: number, result: CheckResult, traceId: string): void {
  const ids = v.exemplarIds;
  const values = v.exemplarValues;
  const kinds = v.exemplarKinds;
  if (!ids || !values || !kinds || !/^[0-9a-f]{32}$/.test(traceId)) return;
  const spanId = result.spanId !== undefined && /^[0-9a-f]{16}$/.test(result.spanId) ? result.spanId : undefined;
  let bucket = 0;
  while (bucket < BUCKETS && result.durationSeconds > (PROBE_DURATION_BUCKETS[bucket] as number)) bucket++;
  const cell = v.exemplarIndex(slot, bucket);
  const base = cell * EXEMPLAR_ID_BYTES;
  for (let k = 0; k < 32; k++) ids[base + k] = traceId.charCodeAt(k);
  if (spanId !== undefined) for (let k = 0; k < 16; k++) ids[base + 32 + k] = spanId.charCodeAt(k);
  values[cell * 2] = result.durationSeconds;
  values[cell * 2 + 1] = Date.now() / 1000;
  kinds[cell] = spanId === undefined ? 1 : 2;
}
