/**
 * A run's hypothesis, whoever judges each entry: the check entries from the live results,
 * the PromQL entries from the fleet's Prometheus. The runner asks these three questions
 * (steady before? tripped during? recovered after?) and gets one report each time.
 */
import { awaitSteadyState, judgeable, pollUntil, steadyState } from './hypothesis.js';
import type { Experiment } from './model/experiment.js';
import type { HypothesisReport } from './model/journal.js';
import { awaitPromql, judgePromql, watchPromqlAbort, withPromql } from './promql/hypothesis.js';
import type { RunnerDeps } from './run-deps.js';
import { watchAbortWhen } from './run-watch.js';

/** The steady state before the method: waits for enough results, then judges every entry. */
export async function steadyBefore(exp: Experiment, deps: RunnerDeps, signal: AbortSignal): Promise<HypothesisReport> {
  const tolerances = exp.steadyState;
  await pollUntil(
    () => judgeable(tolerances, deps.windows),
    (ok) => ok,
    deps.warmupTimeoutMs,
    signal,
  );
  // Without a Prometheus, PromQL abort conditions could never trip: such a run does not start.
  const entries = [...(exp.promql?.steadyState ?? []), ...(deps.prometheus ? [] : (exp.promql?.abortWhen ?? []))];
  const promql = await judgePromql(entries, deps.prometheus, signal);
  return withPromql(steadyState(tolerances, deps.windows), promql);
}

/** Every abort condition watched until the returned cleanup: check entries on each result, PromQL ones every `every`. */
export function watchAborts(
  exp: Experiment,
  deps: RunnerDeps,
  o: {
    stopped: () => boolean;
    tripped: (report: HypothesisReport) => void;
    /** A PromQL entry could not be judged (it does not trip): the report says why. */
    unjudged: (report: HypothesisReport) => void;
  },
): () => void {
  const { stopped, tripped } = o;
  const offChecks = watchAbortWhen({
    bus: deps.bus,
    windows: deps.windows,
    tolerances: exp.abortWhen,
    stopped,
    tripped,
  });
  const offPromql = watchPromqlAbort({
    entries: exp.promql?.abortWhen ?? [],
    prometheus: deps.prometheus,
    stopped,
    tripped,
    unjudged: (reasons, report) => {
      deps.logger.warn({ experiment: exp.name, reasons }, 'a PromQL abortWhen cannot be judged');
      o.unjudged(report);
    },
  });
  return () => {
    offChecks();
    offPromql();
  };
}

/** Recovery: waits until every entry holds again (check entries on results after `since` only), or the timeout. */
export async function awaitRecovery(exp: Experiment, deps: RunnerDeps, since: number): Promise<HypothesisReport> {
  const checks = await awaitSteadyState(exp.steadyState, deps.windows, exp.recoveryTimeoutMs, deps.signal, since);
  const until = since + exp.recoveryTimeoutMs;
  return withPromql(checks, await awaitPromql(exp.promql?.steadyState ?? [], deps.prometheus, until, deps.signal));
}
