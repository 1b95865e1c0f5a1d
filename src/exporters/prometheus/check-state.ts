/**
 * What `/metrics` shows of one check, kept as plain numbers. A result is copied into these
 * fields when it arrives (a few dozen stores) and dropped, so results die young in the
 * garbage collector's nursery instead of living until the next scrape; the text is only
 * made at scrape time ({@link ./check-families.ts}).
 */
import type { CheckResult, FlowStepFacts } from '../../results/types.js';
import { contentLength, grpcStatusCode, httpVersionValue, PROBE_DURATION_BUCKETS, tlsVersionName, type MetricsLevel } from './vocabulary.js';
import { utf8 } from './writer.js';

/** The latest exemplar of a bucket, already spelled (` # {trace_id="..."} 0.1 1700000000.123`); OpenMetrics only. */
type Exemplar = string;

/** A flow step of the latest run. */
export interface StepGauge {
  /** `,step="login"`, encoded. */
  readonly label: Uint8Array;
  readonly ok: boolean;
  readonly seconds: number;
}

/** `,step="NAME"` per step name, shared by every check and run. */
const stepLabels = new Map<string, Uint8Array>();

export function stepLabel(name: string): Uint8Array {
  let label = stepLabels.get(name);
  if (label === undefined) {
    label = utf8(`,step="${name.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`);
    stepLabels.set(name, label);
  }
  return label;
}

/** Counts per failure reason; `undefined` until the first failure. */
export type ReasonCounts = Map<string, number> | undefined;

function countReason(counts: ReasonCounts, reason: string): Map<string, number> {
  const map = counts ?? new Map<string, number>();
  map.set(reason, (map.get(reason) ?? 0) + 1);
  return map;
}

/** The index of the bucket a duration falls in; `PROBE_DURATION_BUCKETS.length` for +Inf. */
function bucketOf(seconds: number): number {
  let i = 0;
  while (i < PROBE_DURATION_BUCKETS.length && seconds > (PROBE_DURATION_BUCKETS[i] as number)) i++;
  return i;
}

/** The metrics state of one configured, enabled check. */
export class CheckState {
  readonly name: string;
  readonly kind: string;
  /** `check="NAME",kind="KIND"`, encoded once when the check is configured. */
  readonly labels: Uint8Array;
  level: MetricsLevel;
  /** Removed or replaced on reload: a render that began before is to leave it out. */
  removed = false;
  /** A run, attempt or skip was seen: the counters' success series exist (at 0) from then on. */
  started = false;
  runsOk = 0;
  runsFailed: ReasonCounts;
  attemptsOk = 0;
  attemptsFailed: ReasonCounts;
  skipped = 0;
  /** Histogram of run durations (full level): counts per bucket, not cumulative; +Inf is `count`. */
  buckets: Float64Array | undefined;
  exemplars: (Exemplar | undefined)[] | undefined;
  count = 0;
  sum = 0;
  /** The latest result's gauges; none are shown before the first result. */
  hasResult = false;
  success = 0;
  duration = 0;
  dnsLookup = 0;
  httpStatus = 0;
  httpRedirects = 0;
  httpSsl = 0;
  httpVersion = 0;
  httpContentLength = 0;
  /** Phase seconds in blackbox's order (`HTTP_PHASES`). */
  phases: Float64Array | undefined;
  /** Present while the latest run had TLS facts. */
  tlsExpiry: number | undefined;
  tlsVersion: string | undefined;
  dnsAnswers = 0;
  dnsAuthority = 0;
  dnsAdditional = 0;
  dnsSucceeded = 0;
  dnsRcode = -1;
  /** Present while the latest answer carried an SOA serial. */
  dnsSerial: number | undefined;
  grpcStatus = 0;
  grpcSsl = 0;
  grpcServing: string | undefined;
  flowSteps: StepGauge[] | undefined;
  /** Flow failures per step; each step that ever ran has a series (0 until it fails). */
  flowFailures: Map<string, number> | undefined;

  constructor(name: string, kind: string, level: MetricsLevel) {
    this.name = name;
    this.kind = kind;
    this.level = level;
    this.labels = utf8(`check="${name}",kind="${kind}"`);
  }

  /** Changes the level; what only the full level shows is forgotten when going to basic. */
  setLevel(level: MetricsLevel): void {
    if (level === this.level) return;
    this.level = level;
    if (level === 'basic') {
      this.buckets = undefined;
      this.exemplars = undefined;
      this.count = 0;
      this.sum = 0;
      this.phases = undefined;
      this.flowSteps = undefined;
      this.flowFailures = undefined;
    }
  }

  /** A run's verdict: counted, and its facts become the gauges. */
  record(result: CheckResult): void {
    this.started = true;
    if (result.ok) this.runsOk++;
    else this.runsFailed = countReason(this.runsFailed, result.reason ?? 'unknown');
    this.hasResult = true;
    this.success = result.ok ? 1 : 0;
    this.duration = result.durationSeconds;
    this.#tls(result);
    if (this.level === 'full') this.#full(result);
  }

  /** One attempt of a run (retries included). */
  attempt(result: CheckResult): void {
    this.started = true;
    if (result.ok) this.attemptsOk++;
    else this.attemptsFailed = countReason(this.attemptsFailed, result.reason ?? 'unknown');
  }

  /** A run the scheduler skipped because the previous one had not finished. */
  skip(): void {
    this.started = true;
    this.skipped++;
  }

  #full(result: CheckResult): void {
    this.#observe(result);
    const obs = result.observation;
    this.dnsLookup = obs.dnsLookupSeconds ?? obs.phases.resolve ?? 0;
    // A flow's HTTP gauges show its last step's response and its steps' summed phases.
    if (this.kind === 'http' || this.kind === 'flow') this.#http(result);
    if (this.kind === 'dns') this.#dns(result);
    else if (this.kind === 'grpc') this.#grpc(result);
    else if (this.kind === 'flow') this.#flow(result);
  }

  #observe(result: CheckResult): void {
    const seconds = result.durationSeconds;
    const buckets = (this.buckets ??= new Float64Array(PROBE_DURATION_BUCKETS.length));
    const index = bucketOf(seconds);
    if (index < buckets.length) buckets[index] = (buckets[index] as number) + 1;
    this.count++;
    this.sum += seconds;
    if (result.traceId === undefined) return;
    const span = result.spanId === undefined ? '' : `,span_id="${result.spanId}"`;
    this.exemplars ??= [];
    this.exemplars[index] = ` # {trace_id="${result.traceId}"${span}} ${seconds} ${Date.now() / 1000}`;
  }

  #tls(result: CheckResult): void {
    const tls = result.observation.tls;
    this.tlsExpiry = tls?.earliestCertExpiry;
    this.tlsVersion = tls === undefined ? undefined : tlsVersionName(tls.version);
  }

  #http(result: CheckResult): void {
    const { http, phases } = result.observation;
    // As blackbox does, a run without a response still exports every gauge, at 0.
    this.httpStatus = http?.status ?? 0;
    this.httpRedirects = http?.redirects ?? 0;
    this.httpSsl = http?.ssl ? 1 : 0;
    this.httpVersion = httpVersionValue(http);
    this.httpContentLength = contentLength(http);
    const out = (this.phases ??= new Float64Array(5));
    out[0] = phases.resolve ?? 0;
    out[1] = phases.connect ?? 0;
    out[2] = phases.tls ?? 0;
    out[3] = phases.processing ?? 0;
    out[4] = phases.transfer ?? 0;
  }

  #dns(result: CheckResult): void {
    const dns = result.observation.dns;
    this.dnsAnswers = dns?.answers.length ?? 0;
    this.dnsAuthority = dns?.authority.length ?? 0;
    this.dnsAdditional = dns?.additional.length ?? 0;
    this.dnsSucceeded = dns ? 1 : 0;
    this.dnsRcode = dns?.rcodeValue ?? -1;
    this.dnsSerial = dns?.serial;
  }

  #grpc(result: CheckResult): void {
    const grpc = result.observation.grpc;
    this.grpcStatus = grpcStatusCode(grpc?.statusCode);
    this.grpcSsl = grpc?.ssl ? 1 : 0;
    this.grpcServing = grpc?.servingStatus;
  }

  #flow(result: CheckResult): void {
    const flow = result.observation.flow;
    const steps: readonly FlowStepFacts[] = flow?.steps ?? [];
    const failures = (this.flowFailures ??= new Map());
    // Each step's counter starts at 0 once the step has run, so rate() sees its first failure.
    for (const { name } of steps) if (!failures.has(name)) failures.set(name, 0);
    if (flow?.failedStep !== undefined) failures.set(flow.failedStep, (failures.get(flow.failedStep) ?? 0) + 1);
    this.flowSteps = steps.map((step) => ({ label: stepLabel(step.name), ok: step.ok, seconds: step.durationSeconds }));
  }
}
