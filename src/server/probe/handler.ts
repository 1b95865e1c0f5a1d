/**
 * `GET /probe?target=&module=`: blackbox_exporter's endpoint for Prometheus-driven
 * probing. Each request builds a one-off check from a configured module and the target,
 * runs it once with the agent's probes and assertions, and answers that probe's metrics.
 * The result goes to no sink: Prometheus stores it, and scheduled checks stay apart.
 */
import type { IncomingMessage } from 'node:http';
import { Counter, type OpenMetricsContentType, type PrometheusContentType, type Registry } from 'prom-client';
import type { ResolvedCheck, ResolvedModule } from '../../config/types.js';
import { errorMessage } from '../../errors.js';
import { ENDPOINT, type ProbeRequestResult } from '../../exporters/prometheus/vocabulary.js';
import type { Logger } from '../../log.js';
import type { AddressPolicy } from '../../net/address-policy.js';
import type { AddressVet, Probe } from '../../probes/types.js';
import { FAILURE_REASONS } from '../../results/reasons.js';
import { executeCheck } from '../../run/execute.js';
import type { CheckResult } from '../../results/types.js';
import type { Reply, RequestContext, RouteHandler } from '../router.js';
import { textReply } from '../routes.js';
import { probeMetrics, renderProbeMetrics } from './metrics.js';
import { DEFAULT_MODULE, findModule, oneOffCheck, probeTimeoutSeconds, targetProblem } from './request.js';
import { debugText, ScrapeLog } from './scrape-log.js';
import { addressVet, targetRefusal, type Lookup } from './target-policy.js';

/** Seconds a client over the in-flight cap is told to wait: about one probe of a fast target. */
const RETRY_AFTER_SECONDS = 1;

/** What the `/probe` route needs from the agent. */
export interface ProbeRouteDeps {
  modules: Readonly<Record<string, ResolvedModule>>;
  /** Modules configured but not probeable as written (blackbox fields canary cannot honour), with why. */
  refusals?: Readonly<Record<string, string>>;
  /** The agent's probe registry: the same code, and pooled connections, as scheduled checks. */
  probes: { get(kind: string): Probe };
  /** Copied into the result, as for any run. */
  region: string;
  logger: Logger;
  /** Probes running at once; one more request is answered 503. */
  maxInFlight: number;
  /** The target policy now (the agent's own address is known once its server listens). */
  policy: () => AddressPolicy;
  /** Name resolution for the policy; the system resolver when absent. */
  lookup?: Lookup;
  /** Counts requests; `module` is empty for a module that is not configured, so the label stays bounded. */
  count?: (module: string, result: ProbeRequestResult) => void;
}

/** Aborts when the scrape's time is up or Prometheus hangs up first. */
function deadline(req: IncomingMessage, timeoutSeconds: number): { signal: AbortSignal; done: () => void } {
  const hangUp = new AbortController();
  const onClose = () => hangUp.abort(new Error('the client closed the connection'));
  req.socket.once('close', onClose);
  const signal = AbortSignal.any([AbortSignal.timeout(Math.max(1, Math.round(timeoutSeconds * 1000))), hangUp.signal]);
  return { signal, done: () => req.socket.off('close', onClose) };
}

function logOutcome(log: ScrapeLog, result: CheckResult): void {
  const { observation } = result;
  if (observation.http !== undefined) log.info('Received HTTP response', { status_code: observation.http.status });
  if (!observation.ok) log.error('Error for probe', { reason: observation.reason, err: observation.message });
  for (const outcome of result.outcomes.filter((o) => !o.ok)) {
    log.error('Expectation failed', { expectation: outcome.name, expected: outcome.expected, actual: outcome.actual });
  }
}

/**
 * The probe to run: the agent's own, or, for a target its kind cannot use (a dns target
 * that is not IP[:PORT], a tcp target without a port), one that fails at once and says why.
 */
function probeFor(deps: ProbeRouteDeps, kind: string, target: string): Probe {
  const problem = targetProblem(kind, target);
  if (problem === undefined) return deps.probes.get(kind);
  const reason = kind === 'dns' ? FAILURE_REASONS.dns : FAILURE_REASONS.connect;
  return {
    kind,
    run: () => Promise.resolve({ ok: false, reason, message: problem, durationSeconds: 0, phases: {} }),
  } as Probe;
}

async function runProbe(
  deps: ProbeRouteDeps,
  ctx: RequestContext,
  request: ProbeRequest,
  check: ResolvedCheck,
  vetAddress: AddressVet,
): Promise<Reply> {
  const { module, target, timeoutSeconds } = request;
  const log = new ScrapeLog(deps.logger, module.name, target);
  log.info('Beginning probe', { probe: module.prober, timeout_seconds: timeoutSeconds });
  const { signal, done } = deadline(ctx.req, timeoutSeconds);
  try {
    const started = performance.now();
    const result = await executeCheck(
      check,
      probeFor(deps, check.kind, target),
      { signal, vetAddress },
      { region: deps.region },
    );
    const durationSeconds = (performance.now() - started) / 1000;
    logOutcome(log, result);
    if (result.ok) log.info('Probe succeeded', { duration_seconds: durationSeconds });
    else log.error('Probe failed', { duration_seconds: durationSeconds });
    const { contentType, body } = await renderProbeMetrics(
      await probeMetrics({ check, result, signal }, durationSeconds),
    );
    deps.count?.(module.name, result.ok ? 'success' : 'failure');
    if (ctx.url.searchParams.get('debug') === 'true')
      return textReply(200, debugText(log, body, module), { 'cache-control': 'no-store' });
    return { status: 200, headers: { 'content-type': contentType, 'cache-control': 'no-store' }, body };
  } finally {
    done();
  }
}

/** A request that names a module, a target and a time budget. */
interface ProbeRequest {
  module: ResolvedModule;
  target: string;
  timeoutSeconds: number;
}

/** Reads the request, or answers 400 in blackbox's words: never a 5xx for what a client sent. */
function readRequest(deps: ProbeRouteDeps, ctx: RequestContext): ProbeRequest | Reply {
  const params = ctx.url.searchParams;
  const name = params.get('module') || DEFAULT_MODULE;
  const refusal = deps.refusals !== undefined && Object.hasOwn(deps.refusals, name) ? deps.refusals[name] : undefined;
  if (refusal !== undefined) {
    // A configured module: its name is a bounded label value.
    deps.count?.(name, 'bad_request');
    return textReply(400, `Module ${JSON.stringify(name)} cannot be probed: ${refusal}\n`);
  }
  const module = findModule(deps.modules, name);
  if (module === undefined) {
    deps.count?.('', 'bad_request');
    return textReply(400, `Unknown module ${JSON.stringify(name)}\n`);
  }
  let timeoutSeconds: number;
  try {
    const header = headerValue(ctx.req.headers['x-prometheus-scrape-timeout-seconds']);
    timeoutSeconds = probeTimeoutSeconds(header, module.timeoutMs);
  } catch (error) {
    deps.count?.(module.name, 'bad_request');
    return textReply(400, `Failed to parse timeout from Prometheus header: ${errorMessage(error)}\n`);
  }
  const target = params.get('target');
  if (!target) {
    deps.count?.(module.name, 'bad_request');
    return textReply(400, 'Target parameter is missing\n');
  }
  return { module, target, timeoutSeconds };
}

/**
 * The `/probe` handler. Errors are answered in blackbox's words and status codes; beyond
 * blackbox, a target the policy refuses is a 403 and a request over the in-flight cap a
 * 503 with `Retry-After`, each with its reason.
 */
export function probeHandler(deps: ProbeRouteDeps): RouteHandler {
  let inFlight = 0;
  return async (ctx) => {
    const request = readRequest(deps, ctx);
    if (!('module' in request)) return request;
    const { module, target, timeoutSeconds } = request;
    if (inFlight >= deps.maxInFlight) {
      deps.count?.(module.name, 'overloaded');
      const reason = `Too many probes in flight (server.probe.maxInFlight: ${deps.maxInFlight}); retry shortly\n`;
      return textReply(503, reason, { 'retry-after': String(RETRY_AFTER_SECONDS) });
    }
    inFlight++;
    try {
      const check = oneOffCheck(module, target, timeoutSeconds);
      const policy = deps.policy();
      const refused = await targetRefusal(policy, check, deps.lookup);
      if (refused !== undefined) {
        deps.count?.(module.name, 'forbidden');
        return textReply(403, `Probe target refused: ${refused}\n`);
      }
      return await runProbe(deps, ctx, request, check, addressVet(policy));
    } finally {
      inFlight--;
    }
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * `canary_probe_requests_total{module,result}` in the agent's registry, with every
 * configured module's success and failure series present from the start (so `rate()`
 * sees the first request).
 */
export function probeRequestCounter(
  registry: Registry<PrometheusContentType> | Registry<OpenMetricsContentType>,
  modules: readonly string[],
): (module: string, result: ProbeRequestResult) => void {
  const { name, help } = ENDPOINT.probeRequests;
  const counter = new Counter({ name, help, labelNames: ['module', 'result'], registers: [registry] });
  for (const module of modules)
    for (const result of ['success', 'failure'] as const) counter.inc({ module, result }, 0);
  return (module, result) => counter.inc({ module, result });
}
