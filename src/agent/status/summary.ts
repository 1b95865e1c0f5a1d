/** A check as the status API shows it: CheckSummary, and the detail of `GET /api/v1/checks/NAME`. */
import type { ResolvedCheck } from '../../config/types.js';
import { redactUrl } from '../../net/redact-url.js';
import { REASON_WORDS } from '../../results/reasons.js';
import type { RunDetail } from './last-results.js';
import { DETAIL_RUNS, RECENT_RUNS, SUMMARY_WINDOW_MS, type StatusSources } from './sources.js';
import { checkState, FLAP_RUNS, type CheckState } from './state.js';

const iso = (ms: number): string => new Date(ms).toISOString();

/** The state of one check now, cheaply: no summary is built. */
export function stateOf(check: ResolvedCheck, sources: StatusSources): CheckState {
  const flags = sources.windows.flags(check.name, FLAP_RUNS);
  return checkState(check.enabled, flags, sources.last.last(check.name)?.ok);
}

/** When the check last ran, epoch ms, or undefined before its first run. */
export function lastRunOf(check: ResolvedCheck, sources: StatusSources): number | undefined {
  return sources.last.last(check.name)?.at ?? sources.windows.flags(check.name, 0).newest;
}

function windowOf(check: ResolvedCheck, sources: StatusSources, now: number) {
  const stats = sources.windows.stats(check.name, SUMMARY_WINDOW_MS, now);
  return {
    ms: SUMMARY_WINDOW_MS,
    runs: stats?.count ?? 0,
    successRatio: stats?.successRatio ?? null,
    p50Ms: stats ? stats.p50 * 1_000 : null,
    p95Ms: stats ? stats.p95 * 1_000 : null,
  };
}

function sloOf(check: ResolvedCheck, sources: StatusSources, now: number) {
  if (!check.slo) return null;
  return {
    objective: check.slo.objective,
    windowMs: check.slo.window,
    budgetRemaining: sources.slo.remaining(check.name, now) ?? null,
  };
}

/** The summary of one check; `now` is the moment the answer describes. */
export function checkSummary(check: ResolvedCheck, sources: StatusSources, now: number) {
  const state = stateOf(check, sources);
  const failure = sources.last.lastFailure(check.name);
  const failing = state === 'down' || state === 'flapping';
  const reason = failing && failure?.reason ? REASON_WORDS[failure.reason] : null;
  const recent = sources.windows
    .latest(check.name, RECENT_RUNS)
    .reverse()
    .map((s) => ({ at: iso(s.at), ok: s.ok, durationMs: s.durationSeconds * 1_000 }));
  const lastRun = lastRunOf(check, sources);
  return {
    name: check.name,
    kind: check.kind,
    target: redactUrl(check.target),
    labels: check.labels,
    state,
    reason,
    lastRun: lastRun === undefined ? null : iso(lastRun),
    intervalMs: check.schedule.kind === 'interval' ? check.schedule.everyMs : null,
    window: windowOf(check, sources, now),
    recent,
    slo: sloOf(check, sources, now),
  };
}

function runOf(at: number, ok: boolean, durationMs: number, detail: RunDetail | undefined, reasonWord: string | null) {
  return {
    at: iso(at),
    ok,
    durationMs,
    reason: reasonWord,
    message: detail?.message ?? null,
    phases: detail?.phases ?? null,
    traceId: detail?.traceId ?? null,
  };
}

/**
 * The runs held for a check, newest first. The windows keep when, how long, ok and why for
 * each; message, phases and trace id come from the details kept (last run, last failure,
 * and every run since the check was first asked for by name, see last-results.ts).
 */
function runsOf(check: ResolvedCheck, sources: StatusSources) {
  const details = new Map(sources.last.details(check.name).map((d) => [d.at, d]));
  return sources.windows.latest(check.name, DETAIL_RUNS).map((s) => {
    const detail = details.get(s.at);
    return runOf(s.at, s.ok, s.durationSeconds * 1_000, detail, s.reason ? REASON_WORDS[s.reason] : null);
  });
}

/** CheckSummary plus its runs, last failure and the trace link template. */
export function checkDetail(check: ResolvedCheck, sources: StatusSources, now: number) {
  // Asked for by name: someone is looking, so its next runs keep their details.
  sources.last.watch(check.name, now);
  const failure = sources.last.lastFailure(check.name);
  return {
    ...checkSummary(check, sources, now),
    runs: runsOf(check, sources),
    lastFailure: failure
      ? {
          at: iso(failure.at),
          reason: failure.reason ? REASON_WORDS[failure.reason] : null,
          message: failure.message ?? null,
        }
      : null,
    traceUrl: sources.config().server.ui.traceUrl ?? null,
  };
}

export type CheckSummary = ReturnType<typeof checkSummary>;
