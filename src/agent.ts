import { Reloader, type ReloadOutcome, type ReloadTrigger } from './agent/reload.js';
import { addAgentRoutes } from './agent/routes.js';
import { StatusView } from './agent/status/view.js';
import { loadConfig } from './config/load.js';
import type { Config, ResolvedCheck } from './config/types.js';
import { LogSink } from './exporters/log.js';
import { PrometheusSink } from './exporters/prometheus.js';
import { CoverageGauge } from './exporters/prometheus/coverage.js';
import { Heartbeat } from './exporters/prometheus/heartbeat.js';
import type { Exposition, MetricsPayload } from './exporters/prometheus/render.js';
import { ChaosHost } from './chaos/host.js';
import type { RunTracer } from './exporters/otel.js';
import { resolveOtlp, type OtlpSettings } from './exporters/otel/settings.js';
import type { Logger } from './log.js';
import { createProbeRegistry, type ProbeRegistry } from './probes/registry.js';
import { EventBus } from './results/bus.js';
import { ResultWindows } from './results/window.js';
import { RUN_DEADLINE } from './run/budget.js';
import { checkRunner } from './run/check.js';
import { probePool, type ProbePool } from './run/workers/pool.js';
import { Scheduler, type UpdateSummary } from './scheduler/index.js';
import { AgentServer, type ServerAddress } from './server/index.js';
import { VERSION } from './version.js';

/** How long results stay in the rolling windows that hypotheses and gates read. */
const WINDOW_RETENTION_MS = 15 * 60_000;

/**
 * Shutdown budget: in-flight probes get this long to finish before they are aborted, so
 * the whole stop (probes, server, flush) fits the 10 s a process manager usually allows.
 */
const STOP_GRACE_MS = 7_000;

/** What `/metrics` says when the Prometheus exporter is off. */
const DISABLED: MetricsPayload = {
  contentType: 'text/plain; version=0.0.4; charset=utf-8',
  body: '# the Prometheus exporter is disabled (exporters.prometheus.enabled: false)\n',
};

/** What is left of the 10 s stop budget for sending the last spans. */
const TRACE_FLUSH_MS = 2_000;

export interface AgentOptions {
  logger: Logger;
  /** `--enable-chaos`: run scheduled experiments (chaos.enabled must say so too). */
  enableChaos?: boolean;
  /** Where `OTEL_*` variables are read; `process.env` unless a test passes its own. */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * How a reload reads the config again (`canary run` applies its flags); by default the
   * same file, without overrides.
   */
  load?: () => Promise<Config>;
  /** Reload when the config, probe, file_sd or OpenAPI files change. Off unless asked. */
  watch?: boolean;
}

/**
 * The composition root: builds every part from a Config and owns start and stop. Parts
 * only meet here and on the bus; none imports another's internals.
 */
export class Agent {
  #config: Config;
  readonly bus = new EventBus();
  readonly windows: ResultWindows;
  readonly #logger: Logger;
  readonly #probes: ProbeRegistry;
  /** Probe workers (`probes.workers` above 0); scheduled runs go there instead of to #probes. */
  readonly #pool: ProbePool | undefined;
  readonly #prometheus: PrometheusSink | undefined;
  readonly #logSink: LogSink;
  readonly #scheduler: Scheduler;
  readonly #server: AgentServer;
  readonly #otlp: OtlpSettings | undefined;
  readonly #chaos: ChaosHost;
  readonly #reloader: Reloader;
  /** The status API's last results and SLO tally. */
  readonly #status: StatusView;
  /** Stamps canary_agent_heartbeat_timestamp_seconds while probing runs. */
  readonly #heartbeat: Heartbeat | undefined;
  /** Configured and discovered checks, as last swapped in. */
  #checks: readonly ResolvedCheck[];
  #tracer: RunTracer | undefined;
  #state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';

  constructor(config: Config, options: AgentOptions) {
    this.#config = config;
    this.#checks = config.checks;
    this.#logger = options.logger;
    this.#probes = createProbeRegistry({ browser: config.probes.browser });
    this.#pool = probePool(config.probes.workers, { region: config.agent.region, logger: this.#logger });
    this.windows = new ResultWindows(this.bus, { retentionMs: WINDOW_RETENTION_MS });
    this.#logSink = new LogSink({ bus: this.bus, logger: this.#logger });
    const otlp = resolveOtlp(config.exporters.otlp, options.env ?? process.env);
    for (const warning of otlp.warnings) this.#logger.warn(warning);
    this.#otlp = otlp.settings;
    this.#status = new StatusView({
      bus: this.bus,
      windows: this.windows,
      config: () => this.#config,
      checks: () => this.#checks,
      experiment: (name) => this.#chaos.experiment(name),
      chaosEnabled: options.enableChaos === true,
    });
    this.#chaos = new ChaosHost({
      config,
      bus: this.bus,
      windows: this.windows,
      logger: this.#logger,
      enableChaos: options.enableChaos === true,
      tracer: () => this.#tracer,
      progress: this.#status.chaosProgress,
    });
    this.#prometheus = this.#makePrometheus(config);
    this.#heartbeat = this.#prometheus ? new Heartbeat(this.#prometheus.registry) : undefined;
    this.#scheduler = this.#makeScheduler(config);
    this.#server = new AgentServer({
      listen: config.server.listen,
      metrics: (accept, acceptEncoding) => this.exposition(accept, acceptEncoding),
      ready: () => this.#state === 'running' && this.#scheduler.started,
      logger: this.#logger,
      webConfig: config.server.webConfig,
    });
    this.#reloader = this.#makeReloader(options);
    this.#status.routes(this.#server);
    addAgentRoutes(this.#server, {
      config,
      logger: this.#logger,
      probes: this.#probes,
      registry: this.#prometheus?.registry,
      reload: () => this.reload('http'),
      chaosRoutes: (server, token) => this.#chaos.routes(server, token),
    });
  }

  /** The running configuration: the last one loaded whole, restart-only settings as at start. */
  get config(): Config {
    return this.#config;
  }

  /**
   * Loads the config files again and swaps them in at once, or keeps the old config and
   * reports every problem. Unchanged checks keep their schedule and windows.
   */
  reload(trigger: ReloadTrigger = 'http'): Promise<ReloadOutcome> {
    return this.#reloader.reload(trigger);
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
    const checks = this.#checks.filter((c) => c.enabled).length;
    this.#logger.info(
      { version: VERSION, region: this.config.agent.region, checks, url: address.url, config: this.config.file },
      'agent started',
    );
    return address;
  }

  /**
   * Starts tracing (when on) and scheduling, without the HTTP server: what a standalone
   * chaos runner needs to judge its hypotheses with the agent's own probing code.
   */
  async startProbing(): Promise<void> {
    this.#tracer = await this.#startTracing();
    await this.#pool?.ready();
    await this.#reloader.start();
    this.#scheduler.start();
    this.#heartbeat?.start();
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
    this.#reloader.close();
    this.#heartbeat?.stop();
    // A chaos run in progress rolls back before probing stops, so recovery is still judged.
    await this.#chaos.stop();
    await this.#scheduler.stop({ graceMs: STOP_GRACE_MS });
    await Promise.allSettled([
      this.#server.stop(),
      this.#probes.close(),
      this.#pool?.close(),
      this.#tracer?.shutdown(TRACE_FLUSH_MS),
    ]);
    this.windows.close();
    this.#status.close();
    this.#logSink.close();
    this.#prometheus?.close();
    this.#state = 'stopped';
    this.#logger.info('agent stopped');
  }

  /** The Prometheus sink, or none when the exporter is off. */
  #makePrometheus(config: Config): PrometheusSink | undefined {
    if (!config.exporters.prometheus.enabled) return undefined;
    return new PrometheusSink({
      bus: this.bus,
      region: config.agent.region,
      agentLabels: config.agent.labels,
      version: VERSION,
      datacenter: config.agent.datacenter,
      checks: config.checks,
      level: config.exporters.prometheus.metrics,
      renderThread: config.exporters.prometheus.renderThread,
      logger: this.#logger,
      tracing: this.#otlp !== undefined,
      chaos: { halted: () => this.#chaos.halted() },
    });
  }

  /** The scheduler of the enabled checks, each run handed to the run pipeline. */
  #makeScheduler(config: Config): Scheduler {
    return new Scheduler(
      config.checks.filter((c) => c.enabled),
      {
        concurrency: config.probes.concurrency,
        seed: config.probes.seed,
        bus: this.bus,
        deadline: RUN_DEADLINE,
        run: checkRunner({
          bus: this.bus,
          region: config.agent.region,
          probes: this.#probes,
          workers: this.#pool,
          tracer: () => this.#tracer,
        }),
      },
    );
  }

  #makeReloader(options: AgentOptions): Reloader {
    const coverage = this.#prometheus ? new CoverageGauge(this.#prometheus.registry) : undefined;
    return new Reloader({
      logger: this.#logger,
      load: options.load ?? (() => loadConfig(this.#config.file, { env: options.env })),
      current: () => this.#config,
      apply: (config, checks) => this.#apply(config, checks),
      result: (ok) => this.#prometheus?.setReloadResult(ok),
      coverage: (specs) => coverage?.set(specs),
      watch: options.watch === true,
    });
  }

  /** The swap: schedule first (it throws before changing anything), then the rest follows. */
  #apply(config: Config, checks: readonly ResolvedCheck[]): UpdateSummary {
    const summary = this.#scheduler.update(checks);
    this.#config = config;
    this.#checks = checks;
    this.#prometheus?.setChecks(checks);
    this.#pool?.retain(checks);
    this.#status.retain(checks);
    // A check that is now disabled is still listed, but runs no more: its series go too.
    for (const name of summary.removed) this.#prometheus?.removeCheck(name);
    return summary;
  }

  /** Loads the OpenTelemetry SDK only when tracing is on: without it, tracing costs nothing. */
  async #startTracing(): Promise<RunTracer | undefined> {
    if (!this.#otlp) return undefined;
    const { createRunTracer } = await import('./exporters/otel.js');
    const { region, datacenter, labels } = this.config.agent;
    return createRunTracer(this.#otlp, {
      region,
      datacenter,
      labels,
      version: VERSION,
      bus: this.bus,
      logger: this.#logger,
    });
  }

  /** The exposition `/metrics` serves, as text, in the format `accept` asks for; readable after stop too. */
  async metrics(accept?: string): Promise<MetricsPayload> {
    if (this.#prometheus) return this.#prometheus.metrics(accept);
    return { contentType: DISABLED.contentType, body: DISABLED.body };
  }

  /** The `/metrics` response body: gzipped when `acceptEncoding` allows it. */
  async exposition(accept?: string, acceptEncoding?: string): Promise<Exposition | MetricsPayload> {
    if (this.#prometheus) return this.#prometheus.exposition(accept, acceptEncoding);
    return DISABLED;
  }
}
