/**
 * Retries that confirm a failure instead of hiding it. A run makes up to
 * `retries.count + 1` attempts: the first success ends it as ok, and it fails only when
 * every attempt failed, with the last attempt's reason. Every attempt is published on its
 * own (`result.attempt`), so a run that needed a retry still shows its failed attempt in
 * `canary_probe_attempts_total`.
 */
import type { ResolvedCheck, RetryPolicy } from '../config/types.js';
import type { Probe, ProbeContext } from '../probes/types.js';
import type { CheckResult } from '../results/types.js';
import { attemptTimeout, runBudgetMs } from './budget.js';
import { executeCheck, type ExecuteDeps } from './execute.js';

/** The run's trace as the retry loop sees it: optional, so a tracer without attempts still fits. */
export interface AttemptTrace {
  /**
   * Closes the span of the failed attempt and opens one for the next; returns the trace
   * headers the next attempt sends (its own span id), or `undefined` to send none.
   */
  retry?(failed: CheckResult): TraceHeaders | undefined | Promise<TraceHeaders | undefined>;
}

type TraceHeaders = Readonly<Record<string, string>>;

/** Where each attempt's result goes as it ends: the agent's bus, or a probe worker's port. */
export interface AttemptSink {
  emit(event: 'result.attempt', result: CheckResult): void;
}

/** What {@link executeWithRetries} needs besides what a single attempt needs. */
export interface RetryDeps extends ExecuteDeps {
  /** Receives `result.attempt` for every attempt as it ends, the last one included. */
  bus?: AttemptSink;
  /** The run's trace, told of each retry. */
  trace?: AttemptTrace | undefined;
  /**
   * When the run must be over, epoch ms; defaults to now plus {@link runBudgetMs}. Given, it
   * says `ctx.signal` is aborted then (the scheduler's run signal).
   */
  deadline?: number;
}

/** The wait before retry number `retry` (1 for the first): the backoff, doubled before each next retry. */
export function backoffMs(policy: RetryPolicy, retry: number): number {
  return policy.backoffMs * 2 ** (retry - 1);
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const done = (waited: boolean): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(waited);
    };
    const onAbort = (): void => done(false);
    const timer = setTimeout(done, ms, true);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Aborts `controller` as a timeout; the reason is made only if the timer fires. */
function timedOut(controller: AbortController, timeoutMs: number): void {
  controller.abort(attemptTimeout(timeoutMs));
}

/**
 * One attempt with a timeout of its own, also aborted when the run is (its deadline, agent
 * stop). When the run's signal is already bound to a deadline that is the attempt's own
 * (a run of one attempt under the scheduler), the attempt uses it as it is: no second
 * controller and timer per probe.
 */
async function attemptOnce<C extends ResolvedCheck>(
  check: C,
  probe: Probe<C>,
  run: ProbeContext,
  deps: ExecuteDeps,
  attempt: number,
  runIsAttempt: boolean,
): Promise<CheckResult> {
  if (runIsAttempt) return withAttempt(await executeCheck(check, probe, run, deps), attempt);
  const controller = new AbortController();
  const forward = (): void => controller.abort(run.signal.reason);
  if (run.signal.aborted) forward();
  else run.signal.addEventListener('abort', forward, { once: true });
  const timer = setTimeout(timedOut, check.timeoutMs, controller, check.timeoutMs);
  const ctx: ProbeContext = run.headers
    ? { signal: controller.signal, headers: run.headers }
    : { signal: controller.signal };
  try {
    return withAttempt(await executeCheck(check, probe, ctx, deps), attempt);
  } finally {
    clearTimeout(timer);
    run.signal.removeEventListener('abort', forward);
  }
}

/** The result numbered as attempt `attempt` of its run (it was made for this call alone). */
function withAttempt(result: CheckResult, attempt: number): CheckResult {
  result.attempt = attempt;
  return result;
}

/**
 * Runs a check until one attempt succeeds or `retries.count + 1` attempts have failed,
 * waiting `backoff`, then twice that, and so on between attempts. Returns the deciding
 * attempt's result: `attempt` says how many attempts the run took, and its durations and
 * observation are that attempt's. A retry whose backoff would reach the deadline is not
 * made, and neither is one after the run was aborted (agent stopping): the last failure
 * stands. Never rejects, like {@link executeCheck}.
 *
 * @example
 * const result = await executeWithRetries(check, probe, { signal }, { region: 'eu-west-1', bus });
 */
export async function executeWithRetries<C extends ResolvedCheck>(
  check: C,
  probe: Probe<C>,
  ctx: ProbeContext,
  deps: RetryDeps,
): Promise<CheckResult> {
  const now = deps.now ?? Date.now;
  const deadline = deps.deadline ?? now() + runBudgetMs(check);
  // The scheduler aborts a run at its deadline; with one attempt that is the attempt's timeout.
  const runIsAttempt = check.retries.count === 0 && deps.deadline !== undefined;
  let headers = ctx.headers;
  for (let attempt = 1; ; attempt++) {
    const run = headers === ctx.headers ? ctx : headers ? { signal: ctx.signal, headers } : { signal: ctx.signal };
    const result = await attemptOnce(check, probe, run, deps, attempt, runIsAttempt);
    deps.bus?.emit('result.attempt', result);
    if (result.ok || attempt > check.retries.count) return result;
    const wait = backoffMs(check.retries, attempt);
    if (wait >= deadline - now() || !(await pause(wait, ctx.signal))) return result;
    if (deps.trace?.retry) headers = await deps.trace.retry(result);
  }
}
