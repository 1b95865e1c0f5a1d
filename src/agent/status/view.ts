/**
 * What the status API keeps beside the rolling windows: each check's last run and last
 * failure, and an SLO tally of the checks with an `slo:`. Built by the agent, told of
 * reloads, closed at stop.
 */
import type { Experiment } from '../../chaos/model/experiment.js';
import type { ProgressListener } from '../../chaos/progress.js';
import type { Config, ResolvedCheck } from '../../config/types.js';
import type { EventBus } from '../../results/bus.js';
import type { ResultWindows } from '../../results/window.js';
import type { AgentServer } from '../../server/index.js';
import { SloTally, type TalliedSlo } from '../../slo/tally.js';
import { LastResults } from './last-results.js';
import { LiveRun } from './live-run.js';
import { addStatusRoutes } from './routes.js';
import type { StatusSources } from './sources.js';

export interface StatusViewDeps {
  bus: EventBus;
  windows: ResultWindows;
  config: () => Config;
  checks: () => readonly ResolvedCheck[];
  /** The experiment scheduled under a name (none when chaos is off). */
  experiment?: (name: string) => Experiment | undefined;
  chaosEnabled: boolean;
}

function slos(checks: readonly ResolvedCheck[]): Map<string, TalliedSlo> {
  return new Map(checks.flatMap((c) => (c.slo ? [[c.name, c.slo] as const] : [])));
}

export class StatusView {
  readonly #sources: StatusSources;

  constructor(deps: StatusViewDeps) {
    this.#sources = {
      config: deps.config,
      checks: deps.checks,
      windows: deps.windows,
      last: new LastResults(deps.bus),
      slo: new SloTally(deps.bus, slos(deps.checks())),
      live: new LiveRun(deps.bus),
      experiment: deps.experiment ?? (() => undefined),
      chaosEnabled: deps.chaosEnabled,
    };
  }

  /** What this agent's chaos runner tells of its progress (the wave in progress). */
  get chaosProgress(): ProgressListener {
    return this.#sources.live.progress;
  }

  /** Adds `/api/v1/...` to the server. */
  routes(server: AgentServer): void {
    addStatusRoutes(server, this.#sources);
  }

  /** After a reload: forget removed checks, tally the SLOs now configured (discovered checks included). */
  retain(checks: readonly ResolvedCheck[]): void {
    this.#sources.last.retain(new Set(checks.map((c) => c.name)));
    this.#sources.slo.retain(slos(checks));
  }

  close(): void {
    this.#sources.last.close();
    this.#sources.slo.close();
    this.#sources.live.close();
  }
}
