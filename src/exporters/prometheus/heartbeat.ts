/**
 * A heartbeat that tells a stuck agent from a quiet one, for the CanaryAgentSilent alert.
 * (Each check's SLO objective and window are per-check series of the check exposition.)
 */
import { Gauge, type OpenMetricsContentType, type Registry } from 'prom-client';

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
