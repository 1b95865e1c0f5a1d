/**
 * Chaos inside the agent (`canary run`): recovery of runs whose runner died, scheduled
 * experiments (only with `chaos.enabled` and `--enable-chaos`), and the control API's
 * halt, resume and status. The agent composes this; nothing here probes.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/types.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { EventBus } from '../results/bus.js';
import type { ResultWindows } from '../results/window.js';
import type { AgentServer } from '../server/index.js';
import { SloTally } from '../slo/tally.js';
import { guarded, json } from '../server/control.js';
import { sloChecks, tallyBudgetSource, type BudgetSource } from './budget.js';
import { ChaosCron } from './cron.js';
import { promqlBudgetSource } from './promql/budget.js';
import { loadExperiments } from './load.js';
import type { Experiment } from './model/experiment.js';
import { recoverUnfinished } from './recover.js';
import { AuditLog } from './state/audit.js';
import { halt, haltStatus, resume } from './state/halt.js';
import { readLock } from './state/lock.js';
import type { ProgressListener } from './progress.js';
import type { ChaosTracer } from './tracing.js';

export interface ChaosHostDeps {
  config: Config;
  bus: EventBus;
  windows: ResultWindows;
  logger: Logger;
  /** `--enable-chaos` was given. */
  enableChaos: boolean;
  /** The agent's tracer, once started (tracing on). */
  tracer: () => ChaosTracer | undefined;
  /** Told of each scheduled run's steps and waves as they happen. */
  progress?: ProgressListener;
}

/** How long a scheduled run waits for enough results before judging the steady state. */
const SCHEDULED_WARMUP_MS = 120_000;
const OPERATOR = 'canary-agent';

export class ChaosHost {
  readonly #deps: ChaosHostDeps;
  #cron: ChaosCron | undefined;
  /** The experiments scheduled since start (none when chaos is off). */
  #experiments: readonly Experiment[] = [];
  /**
   * Without `chaos.prometheus`, counts SLO results from the start, so `requireErrorBudget`
   * sees as much of the window as the agent can; with it, Prometheus sees the whole window
   * of every region and the tally is not needed.
   */
  readonly #tally: SloTally | undefined;
  readonly #budget: BudgetSource | undefined;

  constructor(deps: ChaosHostDeps) {
    this.#deps = deps;
    const { config } = deps;
    if (!config.chaos.enabled || !deps.enableChaos) return;
    if (config.chaos.prometheus) this.#budget = promqlBudgetSource(config.chaos.prometheus, sloChecks(config));
    else {
      this.#tally = new SloTally(deps.bus, sloChecks(config));
      this.#budget = tallyBudgetSource(this.#tally);
    }
  }

  get stateDir(): string {
    return this.#deps.config.chaos.stateDir;
  }

  /** Whether a halt is in force, cheaply (read at every scrape). */
  /** The scheduled experiment named `name`, as loaded at start. */
  experiment(name: string): Experiment | undefined {
    return this.#experiments.find((e) => e.name === name);
  }

  halted(): boolean {
    return existsSync(join(this.stateDir, 'HALT'));
  }

  /**
   * Reverts what dead runners left behind (always: it only ever undoes faults), then
   * starts the schedule when chaos is switched on twice.
   */
  async start(): Promise<void> {
    const { config, logger } = this.#deps;
    if (existsSync(join(this.stateDir, 'journal'))) {
      try {
        const recovered = await recoverUnfinished(this.stateDir, { operator: OPERATOR, logger });
        for (const r of recovered)
          logger.warn(
            { runId: r.runId, experiment: r.experiment, reverted: r.reverted, ok: r.ok },
            'unfinished chaos run recovered at start',
          );
      } catch (error) {
        logger.error({ err: error }, 'recovering unfinished chaos runs failed: run `canary chaos recover`');
      }
    }
    if (!config.chaos.enabled || !this.#deps.enableChaos) return;
    const { experiments, problems } = await loadExperiments(config);
    this.#experiments = experiments;
    this.#deps.bus.emit('chaos.scheduled', { experiments: experiments.map((e) => e.name) });
    for (const p of problems)
      logger.error({ file: p.file, line: p.line, path: p.path }, `chaos experiment not scheduled: ${p.message}`);
    const tracer = this.#deps.tracer();
    this.#cron = new ChaosCron(experiments, {
      stateDir: this.stateDir,
      windows: this.#deps.windows,
      bus: this.#deps.bus,
      logger,
      warmupTimeoutMs: SCHEDULED_WARMUP_MS,
      ...(config.chaos.prometheus ? { prometheus: config.chaos.prometheus } : {}),
      ...(tracer ? { tracer } : {}),
      ...(this.#budget ? { budget: this.#budget } : {}),
      ...(config.chaos.alertmanager ? { alertmanager: config.chaos.alertmanager } : {}),
      region: config.agent.region,
      unreachable: config.chaos.onUnreachable,
      ...(this.#deps.progress ? { progress: this.#deps.progress } : {}),
    });
  }

  /** Stops scheduling; a run in progress rolls back first. */
  async stop(): Promise<void> {
    await this.#cron?.stop();
    this.#tally?.close();
  }

  /** `POST /-/chaos/halt`, `POST /-/chaos/resume`, `GET /-/chaos/status`, behind `server.token`. */
  routes(server: AgentServer, token: string): void {
    const audit = new AuditLog(this.stateDir);
    const operatorOf = (url: URL) => `api:${url.searchParams.get('operator') ?? 'unknown'}`;
    server.route(
      'POST',
      '/-/chaos/halt',
      guarded(token, async ({ url }) => {
        const operator = operatorOf(url);
        const reason = url.searchParams.get('reason') ?? '';
        await halt(this.stateDir, { operator, reason });
        await audit.append({ event: 'halt', operator, detail: reason });
        return json(200, { halted: true });
      }),
      { description: 'halt every chaos run on this host (bearer token)' },
    );
    server.route(
      'POST',
      '/-/chaos/resume',
      guarded(token, async ({ url }) => {
        const operator = operatorOf(url);
        await resume(this.stateDir);
        await audit.append({ event: 'resume', operator });
        return json(200, { halted: false });
      }),
      { description: 'lift a chaos halt (bearer token)' },
    );
    server.route(
      'GET',
      '/-/chaos/status',
      guarded(token, async () =>
        json(200, {
          enabled: this.#deps.config.chaos.enabled,
          halted: (await haltStatus(this.stateDir)) ?? null,
          running: (await readLock(this.stateDir).catch((e: unknown) => ({ unreadable: errorMessage(e) }))) ?? null,
        }),
      ),
      { description: 'chaos state: halted, running experiment (bearer token)' },
    );
  }
}
