/**
 * What alerting on service level objectives needs from the agent: each check's objective
 * and window, and a heartbeat that tells a stuck agent from a quiet one.
 */
import { Gauge, type OpenMetricsContentType, type Registry } from 'prom-client';

/** A check as the SLO gauges need it; checks without `slo` (or disabled) have no series. */
export interface SloCheckRef {
  name: string;
  kind: string;
  enabled?: boolean;
  /** `objective` a ratio (0.999), `window` in milliseconds, as the schema parsed them. */
  slo?: { objective: number; window: number };
}

/**
 * `canary_slo_objective_ratio{check,kind}` and `canary_slo_window_seconds{check,kind}`
 * (plus the registry's region and agent labels), one series each per enabled check with
 * an `slo`, so dashboards can draw the budget and rules can join the objective instead of
 * having it baked in.
 */
export class SloGauges {
  readonly #objective: Gauge<'check' | 'kind'>;
  readonly #window: Gauge<'check' | 'kind'>;

  constructor(registry: Registry<OpenMetricsContentType>) {
    const registers = [registry];
    const labelNames = ['check', 'kind'] as const;
    this.#objective = new Gauge({
      name: 'canary_slo_objective_ratio',
      help: 'Share (0-1) of runs of the check that its service level objective says must succeed.',
      labelNames,
      registers,
    });
    this.#window = new Gauge({
      name: 'canary_slo_window_seconds',
      help: "Window over which the check's service level objective spends its error budget, in seconds.",
      labelNames,
      registers,
    });
  }

  /** Replaces every series with those of `checks` (at start and after each reload). */
  set(checks: readonly SloCheckRef[]): void {
    this.#objective.reset();
    this.#window.reset();
    for (const check of checks) {
      if (!check.slo || check.enabled === false) continue;
      const labels = { check: check.name, kind: check.kind };
      this.#objective.set(labels, check.slo.objective);
      this.#window.set(labels, check.slo.window / 1000);
    }
  }
}

/** How often the heartbeat is stamped; the CanaryAgentSilent alert allows 2 minutes. */
export const HEARTBEAT_INTERVAL_MS = 15_000;

/**
 * `canary_agent_heartbeat_timestamp_seconds`: the Unix time the agent's event loop last
 * ran its heartbeat timer. The scheduler's timers run on the same loop, so when this stops
 * moving while scrapes still answer, the agent is alive but stuck, which `up` cannot show.
 */
export class Heartbeat {
  readonly #registry: Registry<OpenMetricsContentType>;
  readonly #intervalMs: number;
  readonly #now: () => number;
  /** Registered at the first start: before it, a 0 would read as an agent silent since 1970. */
  #gauge: Gauge | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(registry: Registry<OpenMetricsContentType>, options: { intervalMs?: number; now?: () => number } = {}) {
    this.#registry = registry;
    this.#intervalMs = options.intervalMs ?? HEARTBEAT_INTERVAL_MS;
    this.#now = options.now ?? Date.now;
  }

  /** Stamps now and every interval after; calling it again while running does nothing. */
  start(): void {
    if (this.#timer) return;
    this.#gauge ??= new Gauge({
      name: 'canary_agent_heartbeat_timestamp_seconds',
      help: "Unix time of the agent's latest heartbeat, stamped every 15 seconds from its event loop.",
      registers: [this.#registry],
    });
    this.#beat();
    this.#timer = setInterval(() => this.#beat(), this.#intervalMs);
    // The heartbeat alone must never keep a process alive that is otherwise done.
    this.#timer.unref();
  }

  /** Stops stamping; the gauge keeps its last value, which ages into the silence alert. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Whether the timer is running. */
  get running(): boolean {
    return this.#timer !== undefined;
  }

  #beat(): void {
    this.#gauge?.set(this.#now() / 1000);
  }
}
