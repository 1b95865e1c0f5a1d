import type { Counter, Gauge, Histogram } from 'prom-client';
import type { CheckResult, HttpPhase } from '../../results/types.js';
import { AttemptSeries } from './attempts.js';
import { KindSeries } from './kinds.js';
import type { CheckLabel, SinkMetrics } from './metrics.js';

/** Every HTTP phase, in blackbox_exporter's order; each is exported once an HTTP check has run. */
export const HTTP_PHASES: readonly HttpPhase[] = ['resolve', 'connect', 'tls', 'processing', 'transfer'];

interface HttpChildren {
  status: Gauge.Internal<CheckLabel>;
  redirects: Gauge.Internal<CheckLabel>;
  ssl: Gauge.Internal<CheckLabel>;
  version: Gauge.Internal<CheckLabel>;
  contentLength: Gauge.Internal<CheckLabel>;
  phases: [HttpPhase, Gauge.Internal<CheckLabel | 'phase'>][];
}

/**
 * Node names TLS versions `TLSv1.3`; blackbox_exporter exports `TLS 1.3`, and dashboards
 * match on that value.
 */
export function blackboxTlsVersion(version: string): string {
  if (version === 'TLSv1') return 'TLS 1.0';
  const match = /^TLSv(\d\.\d)$/.exec(version);
  return match ? `TLS ${match[1]}` : version;
}

/**
 * The series of one check, with prom-client's labelled children made once and kept.
 *
 * Counters and the histogram accumulate, so they are updated per result. The gauges only
 * ever show the latest result, so a result is just kept and written into them at scrape
 * time ({@link CheckSeries.flush}): prom-client re-hashes labels and allocates on every
 * gauge `set`, and a check that runs ten times between scrapes would pay that ten times
 * for values nobody reads.
 */
export class CheckSeries {
  readonly kind: string;
  readonly #m: SinkMetrics;
  readonly #labels: Readonly<Record<CheckLabel, string>>;
  readonly #success: Gauge.Internal<CheckLabel>;
  readonly #duration: Gauge.Internal<CheckLabel>;
  readonly #dnsLookup: Gauge.Internal<CheckLabel>;
  readonly #runDuration: Histogram.Internal<CheckLabel>;
  /** Run counters by failure reason; `''` is the success series. */
  readonly #runs = new Map<string, Counter.Internal>();
  /** `canary_probe_attempts_total`, counted from `result.attempt` events. */
  readonly attempts: AttemptSeries;
  #http: HttpChildren | undefined;
  #kindSeries: KindSeries | undefined;
  #sslExpiry: Gauge.Internal<CheckLabel> | undefined;
  #tls: { version: string; child: Gauge.Internal<CheckLabel | 'version'> } | undefined;
  #skipped: Counter.Internal | undefined;
  /** The latest result not yet written into the gauges. */
  #pending: CheckResult | undefined;

  constructor(metrics: SinkMetrics, check: string, kind: string) {
    this.kind = kind;
    this.#m = metrics;
    this.#labels = Object.freeze({ check, kind });
    this.#success = metrics.success.labels(this.#labels);
    this.#duration = metrics.duration.labels(this.#labels);
    this.#dnsLookup = metrics.dnsLookup.labels(this.#labels);
    this.#runDuration = metrics.runDuration.labels(this.#labels);
    // The success series exists (at 0) before the first run is counted, so that rate()
    // and increase() see the first success instead of a series appearing at 1.
    const succeeded = metrics.runs.labels({ ...this.#labels, result: 'success', reason: '' });
    succeeded.inc(0);
    this.#runs.set('', succeeded);
    this.attempts = new AttemptSeries(metrics.attempts, this.#labels);
  }

  /**
   * Counts the run and keeps the result for the gauges. A traced run also becomes its
   * bucket's exemplar; untraced runs take the cheaper labelled child.
   */
  record(result: CheckResult): void {
    if (result.traceId === undefined) this.#runDuration.observe(result.durationSeconds);
    else this.#observeTraced(result, result.traceId);
    this.#run(result.ok ? '' : (result.reason ?? 'unknown')).inc();
    if (this.kind === 'flow') this.#kinds().record(result);
    this.#pending = result;
  }

  #observeTraced(result: CheckResult, traceId: string): void {
    const exemplarLabels = result.spanId === undefined ? { trace_id: traceId } : { trace_id: traceId, span_id: result.spanId };
    // prom-client types exemplar labels with the metric's own label names; any names are valid.
    this.#m.runDuration.observe({ labels: this.#labels, value: result.durationSeconds, exemplarLabels: exemplarLabels as unknown as Record<CheckLabel, string> });
  }

  /** Writes the latest result into the gauges, if one arrived since the last flush. */
  flush(): void {
    const result = this.#pending;
    if (!result) return;
    this.#pending = undefined;
    const obs = result.observation;
    this.#success.set(result.ok ? 1 : 0);
    this.#duration.set(result.durationSeconds);
    this.#dnsLookup.set(obs.dnsLookupSeconds ?? obs.phases.resolve ?? 0);
    // A flow's HTTP gauges show its last step's response and its steps' summed phases.
    if (this.kind === 'http' || this.kind === 'flow') this.#recordHttp(result);
    if (this.kind !== 'http') this.#kinds().flush(result);
    this.#recordTls(result);
  }

  #kinds(): KindSeries {
    return (this.#kindSeries ??= new KindSeries(this.#m.kinds, this.#labels));
  }

  /** Counts a run the scheduler skipped. */
  skipped(): void {
    this.#skipped ??= this.#m.schedulerSkipped.labels(this.#labels);
    this.#skipped.inc();
  }

  /** Deletes every series of this check from the registry. */
  remove(): void {
    this.#pending = undefined;
    const m = this.#m;
    for (const gauge of [m.success, m.duration, m.dnsLookup, m.httpStatus, m.httpRedirects, m.httpSsl, m.httpVersion, m.httpContentLength, m.sslEarliestExpiry]) {
      gauge.remove(this.#labels);
    }
    for (const phase of HTTP_PHASES) m.httpPhase.remove({ ...this.#labels, phase });
    if (this.#tls) m.tlsVersion.remove({ ...this.#labels, version: this.#tls.version });
    for (const reason of this.#runs.keys()) m.runs.remove({ ...this.#labels, result: reason ? 'failure' : 'success', reason });
    this.#kindSeries?.remove();
    m.runDuration.remove(this.#labels);
    m.schedulerSkipped.remove(this.#labels);
    this.attempts.remove();
  }

  #run(reason: string): Counter.Internal {
    let child = this.#runs.get(reason);
    if (!child) {
      child = this.#m.runs.labels({ ...this.#labels, result: 'failure', reason });
      this.#runs.set(reason, child);
    }
    return child;
  }

  #recordHttp(result: CheckResult): void {
    const h = (this.#http ??= this.#makeHttp());
    const facts = result.observation.http;
    // As blackbox does, a run without a response still exports every gauge, at 0.
    h.status.set(facts?.status ?? 0);
    h.redirects.set(facts?.redirects ?? 0);
    h.ssl.set(facts?.ssl ? 1 : 0);
    h.version.set(facts ? Number.parseFloat(facts.version) || 0 : 0);
    h.contentLength.set(facts?.bodyBytes ?? 0);
    const phases = result.observation.phases;
    for (const [phase, child] of h.phases) child.set(phases[phase] ?? 0);
  }

  #makeHttp(): HttpChildren {
    const m = this.#m;
    return {
      status: m.httpStatus.labels(this.#labels),
      redirects: m.httpRedirects.labels(this.#labels),
      ssl: m.httpSsl.labels(this.#labels),
      version: m.httpVersion.labels(this.#labels),
      contentLength: m.httpContentLength.labels(this.#labels),
      phases: HTTP_PHASES.map((phase) => [phase, m.httpPhase.labels({ ...this.#labels, phase })]),
    };
  }

  /** TLS series exist only while the last run had TLS facts, as in a blackbox scrape. */
  #recordTls(result: CheckResult): void {
    const tls = result.observation.tls;
    if (!tls) {
      if (this.#sslExpiry) this.#m.sslEarliestExpiry.remove(this.#labels);
      if (this.#tls) this.#m.tlsVersion.remove({ ...this.#labels, version: this.#tls.version });
      this.#sslExpiry = undefined;
      this.#tls = undefined;
      return;
    }
    this.#sslExpiry ??= this.#m.sslEarliestExpiry.labels(this.#labels);
    this.#sslExpiry.set(tls.earliestCertExpiry);
    const version = blackboxTlsVersion(tls.version);
    if (this.#tls?.version !== version) {
      if (this.#tls) this.#m.tlsVersion.remove({ ...this.#labels, version: this.#tls.version });
      this.#tls = { version, child: this.#m.tlsVersion.labels({ ...this.#labels, version }) };
    }
    this.#tls.child.set(1);
  }
}
