import type { Config, ResolvedCheck } from './config/types.js';
import { LogSink } from './exporters/log.js';
import { PrometheusSink } from './exporters/prometheus.js';
import type { MetricsPayload } from './exporters/prometheus/render.js';
import { ChaosHost } from './chaos/host.js';
import type { RunTracer } from './exporters/otel.js';
import { resolveOtlp, type OtlpSettings } from './exporters/otel/settings.js';
import type { Logger } from './log.js';
import { createProbeRegistry, type ProbeRegistry } from './probes/registry.js';
import { EventBus } from './results/bus.js';
import { executeCheck } from './results/execute.js';
import { ResultWindows } from './results/window.js';
import { Scheduler, type RunContext } from './scheduler/index.js';
import { AgentServer, type ServerAddress } from './server/index.js';
import { VERSION } from './version.js';

/** How long results stay in the rolling windows that hypotheses and gates read. */
const WINDOW_RETENTION_MS = 15 * 60_000;

/**
 * Shutdown budget: in-flight probes get this long to finish before they are aborted, so
 * the whole stop (probes, server, flush) fits the 10 s a process manager usually allows.
 */
const STOP_GRACE_MS = 7_000;

/** What is left of the 10 s stop budget for sending the last spans. */
const TRACE_FLUSH_MS = 2_000;

export interface AgentOptions {
  logger: Logger;
  /** `--enable-chaos`: run scheduled experiments (chaos.enabled must say so too). */
  enableChaos?: boolean;
  /** Where `OTEL_*` variables are read; `process.env` unless a test passes its own. */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The composition root: builds every part from a Config and owns start and stop. Parts
 * only meet here and on the bus; none imports another's internals.
 */
export class Agent {
  readonly config: Config;
  readonly bus = new EventBus();
  readonly windows: ResultWindows;
  readonly #logger: Logger;
  readonly #probes: ProbeRegistry;
  readonly #prometheus: PrometheusSink | undefined;
  readonly #logSink: LogSink;
  readonly #scheduler: Scheduler;
  readonly #server: AgentServer;
  readonly #otlp: OtlpSettings | undefined;
  readonly #chaos: ChaosHost;
  #tracer: RunTracer | undefined;
  #state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';

  constructor(config: Config, options: AgentOptions) {
    this.config = config;
    this.#logger = options.logger;
    this.#probes = createProbeRegistry();
    this.windows = new ResultWindows(this.bus, { retentionMs: WINDOW_RETENTION_MS });
    this.#logSink = new LogSink({ bus: this.bus, logger: this.#logger });
    const otlp = resolveOtlp(config.exporters.otlp, options.env ?? process.env);
    for (const warning of otlp.warnings) this.#logger.warn(warning);
    this.#otlp = otlp.settings;
    this.#chaos = new ChaosHost({ config, bus: this.bus, windows: this.windows, logger: this.#logger, enableChaos: options.enableChaos === true, tracer: () => this.#tracer });
    this.#prometheus = config.exporters.prometheus.enabled
      ? new PrometheusSink({
          bus: this.bus,
          region: config.agent.region,
          agentLabels: config.agent.labels,
          version: VERSION,
          datacenter: config.agent.datacenter,
          checks: config.checks,
          tracing: this.#otlp !== undefined,
          chaos: { halted: () => this.#chaos.halted() },
        })
      : undefined;
    this.#scheduler = new Scheduler(config.checks.filter((c) => c.enabled), {
      concurrency: config.probes.concurrency,
      seed: config.probes.seed,
      bus: this.bus,
      run: (check, ctx) => this.#run(check, ctx),
    });
    this.#server = new AgentServer({
      listen: config.server.listen,
      metrics: (accept) => this.metrics(accept),
      ready: () => this.#state === 'running' && this.#scheduler.started,
      logger: this.#logger,
    });
    if (config.server.token) this.#chaos.routes(this.#server, config.server.token);
  }

  /** The tracer when tracing is on (after start), for spans of things other than checks. */
  get tracer(): RunTracer | undefined {
    return this.#tracer;
  }

  /** The HTTP server, for later features to add routes before `start()`. */
  get server(): AgentServer {
    return this.#server;
  }

  /** Opens the server, then starts scheduling. Rejects (and cleans up) when the port is taken. */
  async start(): Promise<ServerAddress> {
    const address = await this.#server.start();
    try {
      await this.startProbing();
      await this.#chaos.start();
    } catch (error) {
      await this.#server.stop();
      throw error;
    }
    const checks = this.config.checks.filter((c) => c.enabled).length;
    this.#logger.info({ version: VERSION, region: this.config.agent.region, checks, url: address.url, config: this.config.file }, 'agent started');
    return address;
  }

  /**
   * Starts tracing (when on) and scheduling, without the HTTP server: what a standalone
   * chaos runner needs to judge its hypotheses with the agent's own probing code.
   */
  async startProbing(): Promise<void> {
    this.#tracer = await this.#startTracing();
    this.#scheduler.start();
    this.#state = 'running';
  }

  /**
   * Stops scheduling, lets in-flight probes finish (or aborts them after a grace period),
   * then closes the server and the probes' connections. Safe to call twice.
   */
  async stop(): Promise<void> {
    if (this.#state === 'stopping' || this.#state === 'stopped') return;
    this.#state = 'stopping';
    this.#logger.info({ inFlight: this.#scheduler.inFlight }, 'agent stopping');
    // A chaos run in progress rolls back before probing stops, so recovery is still judged.
    await this.#chaos.stop();
    await this.#scheduler.stop({ graceMs: STOP_GRACE_MS });
    await Promise.allSettled([this.#server.stop(), this.#probes.close(), this.#tracer?.shutdown(TRACE_FLUSH_MS)]);
    this.windows.close();
    this.#logSink.close();
    this.#prometheus?.close();
    this.#state = 'stopped';
    this.#logger.info('agent stopped');
  }

  /** Loads the OpenTelemetry SDK only when tracing is on: without it, tracing costs nothing. */
  async #startTracing(): Promise<RunTracer | undefined> {
    if (!this.#otlp) return undefined;
    const { createRunTracer } = await import('./exporters/otel.js');
    const { region, datacenter, labels } = this.config.agent;
    return createRunTracer(this.#otlp, { region, datacenter, labels, version: VERSION, bus: this.bus, logger: this.#logger });
  }

  async #run(check: ResolvedCheck, ctx: RunContext): Promise<void> {
    const span = this.#tracer?.begin(check);
    const probeCtx = span?.headers ? { signal: ctx.signal, headers: span.headers } : { signal: ctx.signal };
    const result = await executeCheck(check, this.#probes.get(check.kind), probeCtx, { region: this.config.agent.region });
    const ref = span?.end(result);
    if (ref) {
      result.traceId = ref.traceId;
      result.spanId = ref.spanId;
    }
    this.bus.emit('result', result);
  }

  /** The exposition `/metrics` serves, in the format `accept` asks for; readable after stop too. */
  async metrics(accept?: string): Promise<MetricsPayload> {
    if (this.#prometheus) return this.#prometheus.metrics(accept);
    return { contentType: 'text/plain; version=0.0.4; charset=utf-8', body: '# the Prometheus exporter is disabled (exporters.prometheus.enabled: false)\n' };
  }
}
