/**
 * One attempt of a check: probe, evaluate, judge. It reads in a few lines on purpose;
 * numbering attempts is retry.ts's, and publishing the result is check.ts's.
 */
import { evaluate } from '../assertions/evaluate.js';
import { verdict, type Verdict } from '../assertions/verdict.js';
import type { ResolvedCheck } from '../config/types.js';
import { errorMessage } from '../errors.js';
import type { Probe, ProbeContext } from '../probes/types.js';
import { FAILURE_REASONS } from '../results/reasons.js';
import type { AssertionOutcome, CheckResult, Observation } from '../results/types.js';

/** What {@link executeCheck} needs from its surroundings. */
export interface ExecuteDeps {
  /** Region of this agent, copied into every result. */
  region: string;
  /** Clock in epoch milliseconds; tests pass a fixed one. Defaults to `Date.now`. */
  now?: () => number;
}

/** The message for something that threw where it should not have: a bug. */
function bugMessage(what: string, error: unknown): string {
  return `${what} threw: ${errorMessage(error)}`;
}

/** Runs the probe; a throw becomes an `unknown` observation so the run still yields a result. */
async function observe<C extends ResolvedCheck>(
  check: C,
  probe: Probe<C>,
  ctx: ProbeContext,
  clock: { startedAt: number; now: () => number },
): Promise<Observation> {
  try {
    return await probe.run(check, ctx);
  } catch (error) {
    const durationSeconds = (clock.now() - clock.startedAt) / 1_000;
    return {
      ok: false,
      reason: FAILURE_REASONS.unknown,
      message: bugMessage('probe', error),
      durationSeconds,
      phases: {},
    };
  }
}

/**
 * Runs one attempt of a check and returns its result. Never rejects: a probe that throws
 * is a bug, and it becomes a result with reason `unknown` so the agent keeps probing
 * everything else (and the bug shows up in `canary_probe_runs_total{reason="unknown"}`).
 *
 * @example
 * const result = await executeCheck(check, probe, { signal: AbortSignal.timeout(check.timeoutMs) }, { region: 'eu-west-1' });
 */
export async function executeCheck<C extends ResolvedCheck>(
  check: C,
  probe: Probe<C>,
  ctx: ProbeContext,
  deps: ExecuteDeps,
): Promise<CheckResult> {
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const observation = await observe(check, probe, ctx, { startedAt, now });
  let outcomes: AssertionOutcome[] = [];
  let judged: Verdict;
  try {
    outcomes = evaluate(check, observation, { now: now() });
    judged = verdict(observation, outcomes);
  } catch (error) {
    // The observation stays as the probe returned it; only the verdict is lost to the bug.
    judged = { ok: false, reason: FAILURE_REASONS.unknown, message: bugMessage('evaluating expectations', error) };
  }
  return {
    check: check.name,
    kind: check.kind,
    target: check.target,
    region: deps.region,
    attempt: 1,
    ...judged,
    startedAt,
    durationSeconds: observation.durationSeconds,
    observation,
    outcomes,
  };
}
