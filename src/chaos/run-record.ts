/**
 * What a run writes to its state directory besides the faults: the journal at each step,
 * the run's own audit lines, the release of the run lock. When the directory stops taking
 * writes (ENOSPC, EROFS, EACCES, the directory replaced or gone), none of it may cost a
 * revert: each write that fails is logged with what could not be recorded, the first one
 * becomes the reason the run fails, and the run goes on to its rollback and lock release.
 */
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { Journal } from './model/journal.js';
import { AuditLog } from './state/audit.js';
import { JournalStore } from './state/journal.js';
import type { RunLock } from './state/lock.js';

/** The journal, audit log and lock of one run, written without ever throwing at the rollback. */
export class RunRecorder {
  readonly store: JournalStore;
  readonly audit: AuditLog;
  readonly #logger: Logger;
  readonly #onFailure: (reason: string) => void;
  #journal: Journal | undefined;
  #failure: string | undefined;

  /** @param onFailure called once, at the first write that fails, with the reason the run fails. */
  constructor(stateDir: string, logger: Logger, onFailure: (reason: string) => void) {
    this.store = new JournalStore(stateDir);
    this.audit = new AuditLog(stateDir);
    this.#logger = logger;
    this.#onFailure = onFailure;
  }

  /** Why the run fails for its records, once a write failed. */
  get failure(): string | undefined {
    return this.#failure;
  }

  /** Writes the run's first journal. Strict: a run whose journal cannot be created does not start. */
  async create(journal: Journal): Promise<void> {
    this.#journal = journal;
    await this.store.create(journal);
  }

  /** Saves the journal; `what` says when, for the log if it fails ("after method[0]"). */
  async save(what: string): Promise<void> {
    if (this.#journal === undefined) return;
    try {
      await this.store.save(this.#journal);
    } catch (error) {
      this.unrecorded(`the journal ${what}`, error);
    }
  }

  /** Appends the run's own audit line (its start or its end). */
  async auditRun(event: 'run.start' | 'run.end', operator: string, detail?: string): Promise<void> {
    const j = this.#journal;
    if (j === undefined) return;
    try {
      await this.audit.append({
        event,
        operator,
        experiment: j.experiment,
        runId: j.runId,
        ...(detail ? { detail } : {}),
      });
    } catch (error) {
      this.unrecorded(`the audit line ${event}${detail ? ` (${detail})` : ''}`, error);
    }
  }

  /** A record that could not be written: logged every time, the first one fails the run. */
  unrecorded(what: string, error: unknown): void {
    const message = errorMessage(error);
    this.#logger.error(
      { runId: this.#journal?.runId, experiment: this.#journal?.experiment, unrecorded: what, error: message },
      `chaos: could not record ${what}: ${message}`,
    );
    if (this.#failure !== undefined) return;
    this.#failure = `the chaos state directory cannot be written: could not record ${what} (${message})`;
    this.#onFailure(this.#failure);
  }

  /**
   * Releases the run lock. When that fails too (the directory is read-only or gone), it is
   * logged: the lock names this process, so once it exits the lock is stale and taken over.
   */
  async releaseLock(lock: RunLock): Promise<void> {
    try {
      await lock.release();
    } catch (error) {
      this.#logger.error(
        { runId: lock.info.runId, experiment: lock.info.experiment, error: errorMessage(error) },
        `chaos: could not release the run lock: ${errorMessage(error)}; it is taken over as stale once this process has exited`,
      );
    }
  }
}
