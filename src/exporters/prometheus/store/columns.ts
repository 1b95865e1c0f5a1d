/**
 * The layout of the check store: what `/metrics` shows of every check, as columns of
 * numbers, one value per check slot. Column by column, because a render writes family
 * after family and so reads one column after another from start to end: memory in the
 * order it is read, and no object per check for the garbage collector to trace.
 */
import { ALL_FAILURE_REASONS } from '../../../results/reasons.js';
import { HTTP_PHASES, WEBSOCKET_PHASES } from '../../../results/types.js';
import { ICMP_PHASES, PROBE_DURATION_BUCKETS } from '../vocabulary.js';

/** Failure reasons by code: a counter column per reason for runs and for attempts. */
export const REASONS: readonly string[] = ALL_FAILURE_REASONS;

/** Buckets of the duration histogram below +Inf (whose count is the `count` column). */
export const BUCKETS = PROBE_DURATION_BUCKETS.length;

/** Float64 columns: counters, the histogram and the latest result's gauges. */
export const F = (() => {
  let next = 0;
  const one = (): number => next++;
  const many = (n: number): number => {
    const first = next;
    next += n;
    return first;
  };
  const layout = {
    /** Successful runs, then failed runs by reason code: read together, so they agree. */
    runs: many(1 + REASONS.length),
    /** Likewise for attempts. */
    attempts: many(1 + REASONS.length),
    /** The duration histogram: count, sum, then `BUCKETS` counts per bucket (not cumulative). */
    histogram: many(2 + BUCKETS),
    skipped: one(),
    success: one(),
    duration: one(),
    dnsLookup: one(),
    httpStatus: one(),
    httpRedirects: one(),
    httpSsl: one(),
    httpVersion: one(),
    httpContentLength: one(),
    tlsExpiry: one(),
    dnsAnswers: one(),
    dnsAuthority: one(),
    dnsAdditional: one(),
    dnsSucceeded: one(),
    dnsRcode: one(),
    dnsSerial: one(),
    grpcStatus: one(),
    grpcSsl: one(),
    /** `ICMP_PHASES.length` columns. */
    icmpPhases: many(ICMP_PHASES.length),
    icmpHopLimit: one(),
    browserLcp: one(),
    browserCls: one(),
    browserTtfb: one(),
    /** `HTTP_PHASES.length` columns. */
    phases: many(HTTP_PHASES.length),
    websocketStatus: one(),
    websocketSsl: one(),
    /** `WEBSOCKET_PHASES.length` columns. */
    websocketPhases: many(WEBSOCKET_PHASES.length),
  };
  return { ...layout, size: next };
})();

/** Offsets within `F.histogram`. */
export const HIST = { count: 0, sum: 1, buckets: 2, size: 2 + BUCKETS } as const;

/** Int32 columns: flags and codes. */
export const I = {
  flags: 0,
  /** Index into `TLS_VERSIONS`, -1 without TLS facts. */
  tlsVersion: 1,
  /** Index into `GRPC_SERVING_STATUSES`, -1 without a serving status. */
  grpcServing: 2,
  size: 3,
} as const;

/** Bits of the `flags` column. */
export const FLAG = {
  /** Scheduled, or a run, attempt or skip was seen: the counters' success series exist (at 0). */
  started: 1,
  /** The latest result's gauges are set. */
  hasResult: 2,
  /** The check exports the full level. */
  full: 4,
  /** The latest result had TLS facts (certificate expiry, version). */
  tls: 8,
  /** The latest DNS answer carried an SOA serial. */
  dnsSerial: 16,
  /** The latest ICMP reply's hop limit is known. */
  icmpHopLimit: 32,
  /** The latest browser run measured Largest Contentful Paint. */
  browserLcp: 64,
  /** ... Cumulative Layout Shift. */
  browserCls: 128,
  /** ... Time to First Byte. */
  browserTtfb: 256,
} as const;

/** Blackbox's TLS version names, by code. */
export const TLS_VERSIONS: readonly string[] = ['TLS 1.0', 'TLS 1.1', 'TLS 1.2', 'TLS 1.3', 'unknown'];

/** Kinds whose families differ, by code; every other kind is `OTHER`. */
export const KIND = { other: 0, http: 1, flow: 2, dns: 3, grpc: 4, websocket: 5, icmp: 6, browser: 7 } as const;

/** The kind code of a check kind. */
export function kindCode(kind: string): number {
  return (KIND as Record<string, number>)[kind] ?? KIND.other;
}

/**
 * Flow and browser steps: per such check a run of `STEP.size` floats per step in the flow
 * column block, at the offset the render plan gives.
 */
export const STEP = { reached: 0, ok: 1, seconds: 2, failures: 3, size: 4 } as const;

/** Exemplar slots per check: one per bucket, +Inf included. */
export const EXEMPLARS = BUCKETS + 1;

/** Bytes of an exemplar's ids: a 32-hex trace id and a 16-hex span id. */
export const EXEMPLAR_ID_BYTES = 48;
