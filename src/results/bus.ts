import type { CheckResult } from './types.js';

/** Every event the agent emits. Exporters subscribe; producers never know who listens. */
export interface AgentEvents {
  /** A check run finished (success or failure): its confirmed verdict, once per run. */
  result: CheckResult;
  /** One attempt of a run finished; a run emits one per attempt, the last before its `result`. */
  'result.attempt': CheckResult;
  /** A run started later than scheduled (concurrency gate, event-loop stall). */
  'scheduler.lag': { check: string; kind: string; seconds: number };
  /**
   * The checks the scheduler has armed: all of them at start, new and changed ones on a
   * reload. Their run counters exist from then on, at 0, before a first run finishes.
   */
  'checks.scheduled': { checks: { name: string; kind: string }[] };
  /** A run was skipped because the previous run of the same check had not finished. */
  'scheduler.skipped': { check: string; kind: string };
  /** Spans the OTLP exporter delivered. */
  'otel.exported': { spans: number };
  /** Spans lost: export queue full, export failed (collector down or slow), or left at shutdown. */
  'otel.dropped': { spans: number; reason: 'queue_full' | 'export_failed' | 'shutdown' };
  /** A chaos experiment run started (journal created, lock held). */
  'chaos.run.start': { experiment: string; runId: string };
  /** A chaos experiment run ended, with its journal status. */
  'chaos.run.end': { experiment: string; runId: string; status: string };
  /** A scheduled run's `requireErrorBudget` was judged: the check's remaining budget, 0..1. */
  'chaos.budget': { experiment: string; slo: string; remaining: number };
  /** A scheduled run was skipped, with why (only `error_budget` so far). */
  'chaos.run.skipped': { experiment: string; reason: string };
  /** The experiments the agent schedules, once loaded: their run counters exist from then on, at 0. */
  'chaos.scheduled': { experiments: string[] };
  /** A subscriber threw; the bus isolates it and reports here. */
  'bus.error': { event: string; error: unknown };
}

type Listener<T> = (payload: T) => void;

/**
 * A small synchronous, typed fan-out. Synchronous on purpose: a result is handed to every
 * sink before the next probe is scheduled, so memory does not grow with a slow sink; sinks
 * that do I/O (OTLP, logs) buffer on their own side.
 */
export class EventBus {
  readonly #listeners = new Map<keyof AgentEvents, Set<Listener<never>>>();

  /** Subscribes; returns the function that unsubscribes. */
  on<K extends keyof AgentEvents>(event: K, listener: Listener<AgentEvents[K]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<K extends keyof AgentEvents>(event: K, payload: AgentEvents[K]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of set) {
      try {
        (listener as Listener<AgentEvents[K]>)(payload);
      } catch (error) {
        // One broken sink must not starve the others, nor loop on its own error.
        if (event !== 'bus.error') this.emit('bus.error', { event, error });
      }
    }
  }
}
