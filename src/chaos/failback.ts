/**
 * Failback: the instances that earlier steps of the run took down (`kill`, or an `exec` or
 * `http` call with a revert) come back in
 * waves, not all at once. Cold caches and reconnect storms make a whole group returning
 * together the moment that hurts most; waves spaced by an interval, each gated on the
 * steady state, let the survivors absorb them. `all-at-once` is one wave, for comparison.
 * Every wave is journaled with what the hypothesis checks measured during it.
 */
import type { ResultWindows } from '../results/window.js';
import { revertFault, saveJournal, type FaultContext } from './faults.js';
import { awaitSteadyState } from './hypothesis.js';
import type { Tolerance } from './model/experiment.js';
import type { FaultRecord, HypothesisReport, WaveRecord } from './model/journal.js';
import type { WaveStep } from './model/steps.js';
import { notify } from './progress.js';

export interface FailbackDeps {
  ctx: FaultContext;
  windows: ResultWindows;
  /** The steady state: the gate, and the checks measured per wave. */
  steadyState: readonly Tolerance[];
  /** The method's stop signal (halt, abort, maxDuration). */
  signal: AbortSignal;
  random: () => number;
  /** Instances of the target, to release from the blast radius as they return. */
  release: (instances: string[]) => void;
}

/** What ended the failback early, if anything. */
export interface FailbackResult {
  error?: string;
  /** The gate did not return in time: the run stops and rolls back. */
  gateFailed?: boolean;
}

/**
 * The faulted instances of `target` not yet brought back, in the order they were taken
 * down: any applied fault with a revert (a kill's start, a lab or orchestrator API call).
 */
export function downInstances(faults: readonly FaultRecord[], targetInstances: ReadonlySet<string>): FaultRecord[] {
  return faults.filter(
    (f) =>
      f.status === 'applied' && f.revert !== undefined && f.instance !== undefined && targetInstances.has(f.instance),
  );
}

/** Splits the faults into waves as the step says. */
export function planWaves(step: WaveStep, down: readonly FaultRecord[]): FaultRecord[][] {
  if (down.length === 0) return [];
  if (step.strategy === 'all-at-once') return [[...down]];
  const size = step.waves !== undefined ? Math.ceil(down.length / step.waves) : (step.waveSize ?? 1);
  const waves: FaultRecord[][] = [];
  for (let i = 0; i < down.length; i += size) waves.push(down.slice(i, i + size));
  return waves;
}

/** A restore does not wait for the steady state: the verdict it records is "not judged, passed". */
const UNGATED: HypothesisReport = { at: '', holds: true, entries: [] };

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** What the hypothesis checks saw from `since` until now. */
function measure(deps: FailbackDeps, since: number): WaveRecord['checks'] {
  const now = Date.now();
  const names = [...new Set(deps.steadyState.map((t) => t.check))];
  return names.map((check) => {
    const stats = deps.windows.stats(check, Math.max(1, now - since), now);
    return stats
      ? { check, samples: stats.count, successRatio: stats.successRatio, p95: stats.p95 }
      : { check, samples: 0 };
  });
}

/** Runs the failback step; every wave is journaled (durably) as it ends. */
export async function runFailback(
  step: WaveStep,
  targetInstances: ReadonlySet<string>,
  deps: FailbackDeps,
): Promise<FailbackResult> {
  const { ctx } = deps;
  const waves = planWaves(step, downInstances(ctx.journal.faults, targetInstances));
  ctx.journal.waves ??= [];
  for (const [i, wave] of waves.entries()) {
    if (deps.signal.aborted) return {};
    const started = Date.now();
    const instances = wave.flatMap((f) => (f.instance ? [f.instance] : []));
    notify(ctx.progress, { type: 'wave.start', step: step.id, wave: i + 1, waves: waves.length, instances });
    // One wave comes back together: that is what a wave is.
    const results = await Promise.all(
      wave.map((fault) =>
        revertFault(
          ctx,
          fault,
          AbortSignal.timeout(fault.revert?.kind === 'spawn' ? fault.revert.timeoutMs + 5_000 : 60_000),
        ),
      ),
    );
    deps.release(instances);
    await wait(step.intervalMs + Math.floor(deps.random() * step.jitterMs), deps.signal);
    const gate = step.gate
      ? await awaitSteadyState(deps.steadyState, deps.windows, step.gateTimeoutMs, deps.signal)
      : UNGATED;
    const record: WaveRecord = {
      step: step.id,
      wave: i + 1,
      startedAt: new Date(started).toISOString(),
      endedAt: new Date().toISOString(),
      instances,
      checks: measure(deps, started),
      gate: gate.holds,
    };
    ctx.journal.waves.push(record);
    notify(ctx.progress, { type: 'wave.end', step: step.id, wave: i + 1, ...(step.gate ? { gate: gate.holds } : {}) });
    await saveJournal(ctx, `after ${step.id} wave ${i + 1}`);
    if (results.some((ok) => !ok)) return { error: `wave ${i + 1}: an instance did not start again` };
    if (!gate.holds && !deps.signal.aborted) {
      const why = gate.entries
        .filter((e) => !e.holds)
        .map((e) => `${e.check}: ${e.failed.join(', ')}`)
        .join('; ');
      return {
        gateFailed: true,
        error: `the steady state did not return within ${step.gateTimeoutMs} ms after wave ${i + 1} (${why})`,
      };
    }
  }
  return {};
}
