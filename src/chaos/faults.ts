/**
 * Applying and reverting faults, each one journaled (fsync) before it runs and audited
 * after. Shared by the runner and by recovery, so a fault is undone the same way whether
 * its runner is alive or was killed.
 *
 * A journal or audit write that fails (ENOSPC, EROFS, a state directory gone) is handed to
 * `ctx.unrecorded` and the work goes on: a fault that is applied must be reverted whether
 * or not its record can be written. Only the write-ahead before applying a fault is strict:
 * a fault that cannot be journaled first is not applied.
 */
import { CanaryError, ERROR_CODES, errorMessage } from '../errors.js';
import { redactUrl } from '../net/redact-url.js';
import { runCall } from './actions/run-call.js';
import type { Call, CallOutcome, PlannedFault } from './model/calls.js';
import type { RollbackStrategy } from './model/experiment.js';
import type { FaultRecord, Journal } from './model/journal.js';
import { notify, type ProgressListener } from './progress.js';
import { endStepRecord, startStepRecord } from './run-watch.js';
import type { AuditLog } from './state/audit.js';
import type { JournalStore } from './state/journal.js';
import type { ChaosSpan } from './tracing.js';

/** What fault bookkeeping needs from its surroundings. */
export interface FaultContext {
  journal: Journal;
  store: JournalStore;
  audit: AuditLog;
  operator: string;
  /** The run's span when tracing is on: each call becomes a child span. */
  span?: ChaosSpan;
  /** A journal or audit write failed: `what` names the record that is missing. Must not throw. */
  unrecorded(what: string, error: unknown): void;
  /** Told of each fault applied or reverted and each rollback call, as it happens. */
  progress?: ProgressListener;
}

/** Saves the journal; a failure goes to `ctx.unrecorded`, never to the caller. */
export async function saveJournal(ctx: FaultContext, what: string): Promise<void> {
  try {
    await ctx.store.save(ctx.journal);
  } catch (error) {
    ctx.unrecorded(`the journal ${what}`, error);
  }
}

/** Where a planned call acts, for records and logs: `method[0] on web-1`. */
function where(planned: { step: string; instance?: string }): string {
  return `${planned.step}${planned.instance ? ` on ${planned.instance}` : ''}`;
}

/** Runs a call inside a child span of the run (when traced). */
async function traced(
  ctx: FaultContext,
  name: string,
  planned: { step: string; instance?: string },
  call: Call,
  signal: AbortSignal,
): Promise<CallOutcome> {
  const span = ctx.span?.child(name, {
    'canary.chaos.step': planned.step,
    'canary.chaos.instance': planned.instance ?? '',
    'canary.chaos.call': describeCall(call),
  });
  const outcome = await runCall(call, signal);
  span?.end(outcome.ok ? undefined : (outcome.error ?? 'failed'));
  return outcome;
}

/** A call for the audit log and reports: the exact argv, URL or signal. */
export function describeCall(call: Call): string {
  if (call.kind === 'exec') return call.argv.map((a) => (/[\s"'\\]/.test(a) ? JSON.stringify(a) : a)).join(' ');
  if (call.kind === 'http') return `${call.method} ${redactUrl(call.url)}`;
  if (call.kind === 'spawn')
    return `start ${call.argv.map((a) => (/[\s"'\\]/.test(a) ? JSON.stringify(a) : a)).join(' ')} (${call.pidFile})`;
  return `kill -${call.signal.replace(/^SIG/, '')} ${call.pid} (${call.pidFile})`;
}

/** Where a call acted and how it went, for progress events. */
function progressOf(
  planned: { step: string; instance?: string },
  outcome: CallOutcome,
): { step: string; instance?: string; ok: boolean; error?: string } {
  return {
    step: planned.step,
    ...(planned.instance !== undefined ? { instance: planned.instance } : {}),
    ok: outcome.ok,
    ...(outcome.ok ? {} : { error: outcome.error ?? 'failed' }),
  };
}

function outcomeText(outcome: CallOutcome): string {
  return outcome.ok ? 'ok' : `failed: ${outcome.error ?? 'unknown error'}`;
}

/** One audit line for a call made on behalf of the run: who, which run, the exact call, how it went. */
async function auditCall(
  ctx: FaultContext,
  event: 'fault.apply' | 'fault.revert' | 'rollback',
  planned: { step: string; instance?: string },
  call: Call,
  outcome: CallOutcome,
): Promise<void> {
  const detail = where(planned);
  try {
    await ctx.audit.append({
      event,
      operator: ctx.operator,
      experiment: ctx.journal.experiment,
      runId: ctx.journal.runId,
      call,
      outcome: outcomeText(outcome),
      detail,
    });
  } catch (error) {
    ctx.unrecorded(`the audit line ${event} ${detail} (${outcomeText(outcome)})`, error);
  }
}

/**
 * Applies one fault: recorded as `pending` and saved durably first (the write-ahead: a
 * runner killed during the call leaves a record a later `recover` reverts), then run.
 *
 * @throws CanaryError `CANARY_ERR_STATE` when the write-ahead fails; the fault is then not applied.
 */
export async function applyFault(ctx: FaultContext, planned: PlannedFault, signal: AbortSignal): Promise<FaultRecord> {
  const record: FaultRecord = { ...planned, seq: ctx.journal.faults.length, status: 'pending' };
  ctx.journal.faults.push(record);
  try {
    await ctx.store.save(ctx.journal);
  } catch (error) {
    // Never applied, so there is nothing to revert: the record goes with the call.
    ctx.journal.faults.pop();
    ctx.unrecorded(`the journal before applying ${where(planned)}`, error);
    throw new CanaryError(
      ERROR_CODES.state,
      `not applied: the journal cannot be written first (${errorMessage(error)})`,
    );
  }
  const outcome = await traced(ctx, 'chaos fault.apply', planned, planned.apply, signal);
  record.applyOutcome = outcome;
  record.appliedAt = new Date().toISOString();
  record.status = outcome.ok ? 'applied' : 'apply_failed';
  notify(ctx.progress, { type: 'fault.applied', ...progressOf(planned, outcome) });
  await saveJournal(ctx, `after applying ${where(planned)}`);
  await auditCall(ctx, 'fault.apply', planned, planned.apply, outcome);
  return record;
}

/**
 * Reverts one fault if it has a revert and is not reverted yet. A fault whose apply
 * failed is reverted too: a call that timed out may have half-happened, and every revert
 * is safe to run on an unfaulted instance (SIGCONT, a restore command).
 */
export async function revertFault(ctx: FaultContext, record: FaultRecord, signal: AbortSignal): Promise<boolean> {
  if (!record.revert || record.status === 'reverted') return true;
  const outcome = await traced(ctx, 'chaos fault.revert', record, record.revert, signal);
  record.revertOutcome = outcome;
  record.revertedAt = new Date().toISOString();
  record.status = outcome.ok ? 'reverted' : 'revert_failed';
  notify(ctx.progress, { type: 'fault.reverted', ...progressOf(record, outcome) });
  await saveJournal(ctx, `after reverting ${where(record)}`);
  await auditCall(ctx, 'fault.revert', record, record.revert, outcome);
  return outcome.ok;
}

/**
 * Reverts every fault of the journal, newest first. Resolves with whether all succeeded.
 * A journal that cannot be saved does not stop it (see `ctx.unrecorded`).
 */
export async function revertAll(ctx: FaultContext, signal: AbortSignal): Promise<boolean> {
  let ok = true;
  for (const record of [...ctx.journal.faults].reverse()) {
    if (!(await revertFault(ctx, record, signal))) ok = false;
  }
  return ok;
}

/**
 * Runs rollback calls (the experiment's `rollback:` list, planned) and records them as
 * rollback steps. Every call runs even when an earlier one failed: a rollback that stops
 * at its first error leaves the rest of the fault in place.
 */
export async function runRollbackCalls(
  ctx: FaultContext,
  calls: readonly PlannedFault[],
  signal: AbortSignal,
): Promise<boolean> {
  let ok = true;
  for (const planned of calls) {
    const step = startStepRecord(planned.step, planned.apply.kind);
    ctx.journal.rollbacks.push(step);
    const outcome = await traced(ctx, 'chaos rollback', planned, planned.apply, signal);
    endStepRecord(step, outcome.ok ? undefined : (outcome.error ?? 'failed'));
    notify(ctx.progress, { type: 'rollback.call', ...progressOf(planned, outcome) });
    if (!outcome.ok) ok = false;
    await saveJournal(ctx, `after the rollback call ${where(planned)}`);
    await auditCall(ctx, 'rollback', planned, planned.apply, outcome);
  }
  return ok;
}

/** Budget for the rollback: it runs after an abort, so it gets its own clock. */
export const ROLLBACK_BUDGET_MS = 120_000;

/**
 * The rollback of a run: every fault still applied is reverted, then the experiment's
 * rollback calls run as its strategy says (`always`, or `on-failure` when the method did
 * not end cleanly). True when every revert and every call succeeded.
 */
export async function rollBack(ctx: FaultContext, strategy: RollbackStrategy, failedMethod: boolean): Promise<boolean> {
  const signal = AbortSignal.timeout(ROLLBACK_BUDGET_MS);
  notify(ctx.progress, { type: 'rollback.start' });
  let ok = await revertAll(ctx, signal);
  if (strategy === 'always' || (strategy === 'on-failure' && failedMethod)) {
    if (!(await runRollbackCalls(ctx, ctx.journal.rollbackPlan, signal))) ok = false;
  }
  notify(ctx.progress, { type: 'rollback.end', ok });
  return ok;
}
