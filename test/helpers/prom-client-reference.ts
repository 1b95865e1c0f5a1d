/**
 * The per-check series made the way the sink made them before it had its own exposition:
 * with prom-client, one labelled child per series. Tests feed it and the sink the same
 * results and compare what the two expose, so the exposition is shown to mean exactly what
 * prom-client's did. Value mappings (TLS version names, Content-Length, gRPC codes) come
 * from the shared vocabulary, as both sides are meant to use them.
 */
import {
  Counter,
  Gauge,
  Histogram,
  openMetricsContentType,
  prometheusContentType,
  Registry,
  type OpenMetricsContentType,
} from 'prom-client';
import {
  BLACKBOX,
  CANARY,
  contentLength,
  GRPC_SERVING_STATUSES,
  grpcStatusCode,
  HTTP_PHASES,
  ICMP_PHASES,
  httpVersionValue,
  PROBE_DURATION_BUCKETS,
  tlsVersionName,
  WEBSOCKET,
  WEBSOCKET_PHASES,
} from '../../src/exporters/prometheus/vocabulary.js';
import type { CheckResult } from '../../src/results/types.js';

type Labels = Record<string, string>;

/** A registry holding the full level's per-check families, as prom-client would keep them. */
export class PromClientReference {
  readonly registry = new Registry<OpenMetricsContentType>();
  readonly #gauges = new Map<string, Gauge>();
  readonly #runs: Counter;
  readonly #attempts: Counter;
  readonly #skipped: Counter;
  readonly #flowFailures: Counter;
  readonly #duration: Histogram;
  /** The label sets each check's gauges were last set with, to remove those a newer result lacks. */
  readonly #shown = new Map<string, { gauge: Gauge; labels: Labels }[]>();

  constructor(agentLabels: Labels) {
    this.registry.setContentType(openMetricsContentType);
    this.registry.setDefaultLabels(agentLabels);
    const registers = [this.registry];
    const counter = (name: string, help: string, labelNames: string[]) =>
      new Counter({ name, help, labelNames, registers });
    this.#runs = counter(CANARY.runs.name, CANARY.runs.help, ['check', 'kind', 'result', 'reason']);
    this.#attempts = counter(CANARY.attempts.name, CANARY.attempts.help, ['check', 'kind', 'result', 'reason']);
    this.#skipped = counter(CANARY.skipped.name, CANARY.skipped.help, ['check', 'kind']);
    this.#flowFailures = counter(CANARY.flowStepFailures.name, CANARY.flowStepFailures.help, ['check', 'kind', 'step']);
    this.#duration = new Histogram({
      name: CANARY.runDuration.name,
      help: CANARY.runDuration.help,
      labelNames: ['check', 'kind'],
      buckets: [...PROBE_DURATION_BUCKETS],
      enableExemplars: true,
      registers,
    });
  }

  /** The exposition in either format. */
  async text(openMetrics: boolean): Promise<string> {
    const counters = this.registry
      .getMetricsAsArray()
      .filter((m) => (m as unknown as { type: string }).type === 'counter') as unknown as { name: string }[];
    const names = counters.map((c) => c.name);
    this.registry.setContentType(
      (openMetrics ? openMetricsContentType : prometheusContentType) as OpenMetricsContentType,
    );
    try {
      return await this.registry.metrics();
    } finally {
      counters.forEach((c, i) => (c.name = names[i] as string));
      this.registry.setContentType(openMetricsContentType);
    }
  }

  /** The first event of a check makes its success counters exist at 0. */
  #start(check: string, kind: string): void {
    this.#runs.inc({ check, kind, result: 'success', reason: '' }, 0);
    this.#attempts.inc({ check, kind, result: 'success', reason: '' }, 0);
  }

  attempt(r: CheckResult): void {
    this.#start(r.check, r.kind);
    this.#attempts.inc({
      check: r.check,
      kind: r.kind,
      result: r.ok ? 'success' : 'failure',
      reason: r.ok ? '' : (r.reason ?? 'unknown'),
    });
  }

  skip(check: string, kind: string): void {
    this.#start(check, kind);
    this.#skipped.inc({ check, kind });
  }

  record(r: CheckResult): void {
    const base = { check: r.check, kind: r.kind };
    this.#start(r.check, r.kind);
    this.#runs.inc({ ...base, result: r.ok ? 'success' : 'failure', reason: r.ok ? '' : (r.reason ?? 'unknown') });
    // With exemplars on, prom-client takes a bare observation only through a labelled child.
    if (r.traceId === undefined) this.#duration.labels(base).observe(r.durationSeconds);
    else {
      const exemplarLabels: Labels =
        r.spanId === undefined ? { trace_id: r.traceId } : { trace_id: r.traceId, span_id: r.spanId };
      this.#duration.observe({ labels: base, value: r.durationSeconds, exemplarLabels });
    }
    if (r.kind === 'flow') {
      for (const step of r.observation.flow?.steps ?? []) this.#flowFailures.inc({ ...base, step: step.name }, 0);
      const failed = r.observation.flow?.failedStep;
      if (failed !== undefined) this.#flowFailures.inc({ ...base, step: failed });
    }
    this.#setGauges(r, base);
  }

  #gauge(name: string, help: string, labelNames: string[]): Gauge {
    let gauge = this.#gauges.get(name);
    if (!gauge) this.#gauges.set(name, (gauge = new Gauge({ name, help, labelNames, registers: [this.registry] })));
    return gauge;
  }

  #setGauges(r: CheckResult, base: Labels): void {
    for (const { gauge, labels } of this.#shown.get(r.check) ?? []) gauge.remove(labels);
    const shown: { gauge: Gauge; labels: Labels }[] = [];
    const set = (family: { name: string; help: string }, value: number, extra: Labels = {}) => {
      const labels = { ...base, ...extra };
      const gauge = this.#gauge(family.name, family.help, Object.keys(labels));
      gauge.set(labels, value);
      shown.push({ gauge, labels });
    };
    const obs = r.observation;
    set(BLACKBOX.success, r.ok ? 1 : 0);
    set(BLACKBOX.duration, r.durationSeconds);
    set(BLACKBOX.dnsLookup, obs.dnsLookupSeconds ?? obs.phases.resolve ?? 0);
    if (r.kind === 'http' || r.kind === 'flow') {
      set(BLACKBOX.httpStatus, obs.http?.status ?? 0);
      for (const phase of HTTP_PHASES) set(BLACKBOX.httpPhase, obs.phases[phase] ?? 0, { phase });
      set(BLACKBOX.httpRedirects, obs.http?.redirects ?? 0);
      set(BLACKBOX.httpSsl, obs.http?.ssl ? 1 : 0);
      set(BLACKBOX.httpVersion, httpVersionValue(obs.http));
      set(BLACKBOX.httpContentLength, contentLength(obs.http));
    }
    if (obs.tls) {
      set(BLACKBOX.sslEarliestExpiry, obs.tls.earliestCertExpiry);
      set(BLACKBOX.tlsVersion, 1, { version: tlsVersionName(obs.tls.version) });
    }
    if (r.kind === 'dns') {
      const dns = obs.dns;
      set(BLACKBOX.dnsAnswerRrs, dns?.answers.length ?? 0);
      set(BLACKBOX.dnsAuthorityRrs, dns?.authority.length ?? 0);
      set(BLACKBOX.dnsAdditionalRrs, dns?.additional.length ?? 0);
      set(BLACKBOX.dnsQuerySucceeded, dns ? 1 : 0);
      if (dns?.serial !== undefined) set(BLACKBOX.dnsSerial, dns.serial);
      set(CANARY.dnsRcode, dns?.rcodeValue ?? -1);
    }
    if (r.kind === 'grpc') {
      set(BLACKBOX.grpcStatusCode, grpcStatusCode(obs.grpc?.statusCode));
      set(BLACKBOX.grpcSsl, obs.grpc?.ssl ? 1 : 0);
      for (const status of GRPC_SERVING_STATUSES)
        set(BLACKBOX.grpcHealth, obs.grpc?.servingStatus === status ? 1 : 0, { serving_status: status });
    }
    if (r.kind === 'websocket') {
      const ws = obs.websocket;
      const seconds = { upgrade: ws?.upgradeSeconds, first_message: ws?.firstMessageSeconds } as Record<string, number>;
      for (const phase of WEBSOCKET_PHASES)
        set(WEBSOCKET.phase, seconds[phase] ?? obs.phases[phase as 'resolve'] ?? 0, { phase });
      set(WEBSOCKET.statusCode, ws?.status ?? 0);
      set(WEBSOCKET.ssl, ws?.ssl ? 1 : 0);
    }

    if (r.kind === 'icmp') {
      const seconds = [obs.phases.resolve ?? 0, obs.icmp?.setupSeconds ?? 0, obs.icmp?.rttSeconds ?? 0];
      ICMP_PHASES.forEach((phase, i) => set(BLACKBOX.icmpPhase, seconds[i] ?? 0, { phase }));
      if (obs.icmp?.hopLimit !== undefined) set(BLACKBOX.icmpReplyHopLimit, obs.icmp.hopLimit);
    }
    for (const step of obs.flow?.steps ?? []) {
      set(CANARY.flowStepSuccess, step.ok ? 1 : 0, { step: step.name });
      set(CANARY.flowStepDuration, step.durationSeconds, { step: step.name });
    }
    for (const step of obs.browser?.steps ?? []) {
      set(CANARY.browserStepSuccess, step.ok ? 1 : 0, { step: step.name });
      set(CANARY.browserStepDuration, step.durationSeconds, { step: step.name });
    }
    const vitals = obs.browser?.vitals ?? {};
    if (vitals.lcpSeconds !== undefined) set(CANARY.browserLcp, vitals.lcpSeconds);
    if (vitals.cls !== undefined) set(CANARY.browserCls, vitals.cls);
    if (vitals.ttfbSeconds !== undefined) set(CANARY.browserTtfb, vitals.ttfbSeconds);
    this.#shown.set(r.check, shown);
  }
}
