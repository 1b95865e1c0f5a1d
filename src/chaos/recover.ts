/**
 * Completes the runs whose runner died (SIGKILL, power loss, a container restarted with
 * the runner's old pid): every fault its journal recorded is reverted, newest first, and
 * its rollback list runs, exactly as the runner would have done. A journal or audit write
 * that fails is logged and makes that recovery not ok, but skips no revert. Run by
 * `canary chaos recover` and by `canary run` at start.
 */
import { registerSecretsOf } from '../config/env.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { revertAll, runRollbackCalls, saveJournal, type FaultContext } from './faults.js';
import { AuditLog } from './state/audit.js';
import { JournalStore } from './state/journal.js';
import { acquireLock } from './state/lock.js';
import type { Journal } from './model/journal.js';

/** Budget for one run's reverts and rollbacks. */
const RECOVERY_BUDGET_MS = 120_000;

export interface RecoveredRun {
  runId: string;
  experiment: string;
  /** Faults reverted now (or already reverted). */
  reverted: number;
  /** Whether every revert and rollback call succeeded and was recorded. */
  ok: boolean;
}

/**
 * Recovers every unfinished run in `stateDir`. Takes the run lock while it works, so it
 * never races a live runner (whose journal is not "unfinished" anyway: its pid is alive).
 */
export async function recoverUnfinished(
  stateDir: string,
  options: { operator: string; logger: Logger },
): Promise<RecoveredRun[]> {
  const store = new JournalStore(stateDir);
  const unfinished = await store.unfinished();
  if (unfinished.length === 0) return [];
  const lock = await acquireLock(stateDir, {
    runId: `recover-${process.pid}`,
    experiment: 'recover',
    pid: process.pid,
  });
  try {
    const audit = new AuditLog(stateDir);
    const out: RecoveredRun[] = [];
    for (const journal of unfinished) out.push(await recoverOne(journal, { store, audit, ...options }));
    return out;
  } finally {
    await lock
      .release()
      .catch((error: unknown) =>
        options.logger.error(
          { error: errorMessage(error) },
          `chaos: could not release the run lock after recovery: ${errorMessage(error)}; it is taken over as stale once this process has exited`,
        ),
      );
  }
}

async function recoverOne(
  journal: Journal,
  deps: { store: JournalStore; audit: AuditLog; operator: string; logger: Logger },
): Promise<RecoveredRun> {
  const { store, audit, operator, logger } = deps;
  logger.warn(
    { runId: journal.runId, experiment: journal.experiment, pid: journal.pid },
    'recovering a chaos run whose runner died',
  );
  // Its calls hold hashes of their secrets: loading its experiment again knows the values.
  await registerSecretsOf(journal.file, process.env);
  let recorded = true;
  const ctx: FaultContext = {
    journal,
    store,
    audit,
    operator,
    unrecorded: (what, error) => {
      recorded = false;
      const message = errorMessage(error);
      logger.error(
        { runId: journal.runId, unrecorded: what, error: message },
        `chaos: could not record ${what}: ${message}`,
      );
    },
  };
  const signal = AbortSignal.timeout(RECOVERY_BUDGET_MS);
  let ok = await revertAll(ctx, signal);
  if (!(await runRollbackCalls(ctx, journal.rollbackPlan, signal))) ok = false;
  journal.status = ok ? 'interrupted' : 'failed';
  journal.reason = `runner ${journal.pid} died; recovered by ${operator} (pid ${process.pid})${ok ? '' : ': a revert or rollback call failed'}`;
  journal.endedAt = new Date().toISOString();
  await saveJournal(ctx, 'at the end of the recovery');
  try {
    await audit.append({
      event: 'recover',
      operator,
      experiment: journal.experiment,
      runId: journal.runId,
      outcome: ok ? 'ok' : 'failed',
      detail: journal.reason,
    });
  } catch (error) {
    ctx.unrecorded('the audit line recover', error);
  }
  const reverted = journal.faults.filter((f) => f.status === 'reverted').length;
  logger.info({ runId: journal.runId, reverted, ok, recorded }, 'chaos run recovered');
  return { runId: journal.runId, experiment: journal.experiment, reverted, ok: ok && recorded };
}
