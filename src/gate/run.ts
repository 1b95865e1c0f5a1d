/**
 * Runs the gate's checks: each check N times (or until a deadline), one attempt at a
 * time per check, spaced by an interval, through the same pipeline the agent runs
 * ({@link executeCheck}: probe, expectations, verdict).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import type { ResolvedCheck } from '../config/types.js';
import type { ProbeRegistry } from '../probes/registry.js';
import { executeCheck } from '../run/execute.js';
import type { CheckResult } from '../results/types.js';

/** How many attempts, and how far apart. Exactly one of `runs` and `durationMs`. */
export interface GatePlan {
  /** Attempts per check. */
  runs?: number;
  /** Keep starting attempts until this much time has passed, ms. */
  durationMs?: number;
  /** Pause between the end of one attempt of a check and the start of its next, ms. */
  intervalMs: number;
}

/** What {@link runGate} needs from its surroundings. */
export interface GateRunDeps {
  probes: ProbeRegistry;
  /** Region written into every result. */
  region: string;
  /** Attempts in flight at once across all checks (the agent's `probes.concurrency`). */
  concurrency: number;
  /**
   * Stop: no attempt starts after it fires, and attempts in flight are aborted and not
   * counted (they were cut short by the operator, not by the service).
   */
  signal?: AbortSignal;
  /** Called with every counted result, e.g. for progress output. */
  onResult?: (result: CheckResult) => void;
}

/** The attempts that ran, per check name, in order. */
export interface GateRun {
  results: Map<string, CheckResult[]>;
  /** True when the stop signal ended the run before the plan was done. */
  interrupted: boolean;
}

/**
 * Runs every check by the plan, all checks side by side. Never rejects for a failing
 * target: failures are results.
 *
 * @example
 * const run = await runGate(checks, { runs: 10, intervalMs: 1_000 }, { probes, region: 'eu-west-1', concurrency: 64 });
 */
export async function runGate(checks: readonly ResolvedCheck[], plan: GatePlan, deps: GateRunDeps): Promise<GateRun> {
  const stop = deps.signal ?? new AbortController().signal;
  const limit = pLimit(deps.concurrency);
  const deadline = plan.durationMs === undefined ? Infinity : Date.now() + plan.durationMs;
  const more = (done: number): boolean => (plan.runs === undefined ? Date.now() < deadline : done < plan.runs);
  const results = new Map<string, CheckResult[]>(checks.map((c) => [c.name, []]));
  let interrupted = false;

  await Promise.all(
    checks.map(async (check) => {
      const list = results.get(check.name) as CheckResult[];
      for (let started = 0; more(started); started++) {
        if (started > 0 && !(await pause(plan.intervalMs, stop))) break;
        if (!more(started)) return;
        const result = await limit(() => attempt(check, deps, stop));
        if (result === undefined) break;
        list.push(result);
        deps.onResult?.(result);
      }
      // Only a stop leaves the loop early (pause and attempt give up only then).
      if (stop.aborted && more(list.length)) interrupted = true;
    }),
  );
  return { results, interrupted };
}

/** One attempt with its timeout; `undefined` when the stop came first or cut it short. */
async function attempt(check: ResolvedCheck, deps: GateRunDeps, stop: AbortSignal): Promise<CheckResult | undefined> {
  if (stop.aborted) return undefined;
  const signal = AbortSignal.any([AbortSignal.timeout(check.timeoutMs), stop]);
  const result = await executeCheck(check, deps.probes.get(check.kind), { signal }, { region: deps.region });
  return stop.aborted ? undefined : result;
}

/** Waits `ms`; false when the stop fired meanwhile. */
async function pause(ms: number, stop: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal: stop });
    return true;
  } catch {
    return false;
  }
}
