/**
 * What the journal cannot tell yet about this agent's own chaos run: the failback wave in
 * progress (its record is written when its gate is judged). Followed from the run's
 * progress events; a standalone `canary chaos run` is seen through its journal only.
 */
import type { ChaosProgress } from '../../chaos/progress.js';
import type { EventBus } from '../../results/bus.js';

/** The wave in progress of the agent's run `runId`. */
export interface PendingWave {
  runId: string;
  step: string;
  wave: number;
  startedAt: string;
  instances: string[];
}

export class LiveRun {
  #runId: string | undefined;
  #pending: PendingWave | undefined;
  readonly #unsubscribe: (() => void)[];

  constructor(bus: EventBus) {
    this.#unsubscribe = [
      bus.on('chaos.run.start', ({ runId }) => {
        this.#runId = runId;
        this.#pending = undefined;
      }),
      bus.on('chaos.run.end', () => {
        this.#runId = undefined;
        this.#pending = undefined;
      }),
    ];
  }

  /** The runner's progress listener. */
  readonly progress = (event: ChaosProgress): void => {
    if (event.type === 'wave.start' && this.#runId !== undefined)
      this.#pending = {
        runId: this.#runId,
        step: event.step,
        wave: event.wave,
        startedAt: new Date().toISOString(),
        instances: event.instances,
      };
    else if (event.type === 'wave.end') this.#pending = undefined;
  };

  /** Whether run `runId` is this agent's own (its windows can judge its hypothesis now). */
  isOwn(runId: string): boolean {
    return this.#runId === runId;
  }

  /** The wave in progress of run `runId`, if this agent runs it and is in one. */
  pendingWave(runId: string): PendingWave | undefined {
    return this.#pending?.runId === runId ? this.#pending : undefined;
  }

  close(): void {
    for (const off of this.#unsubscribe) off();
  }
}
