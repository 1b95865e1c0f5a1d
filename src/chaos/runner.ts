/**
 * Runs one experiment: steady state before, method, rollback, steady state after, each a
 * function of its own (the order and the rollback policy stay readable here). Unlike
 * tools that skip rollbacks when the method fails, every fault applied is reverted
 * whatever ended the method (failure, abort, halt, maxDuration, SIGTERM), and recovery is
 * verified by the hypothesis, not assumed.
 */
import { errorMessage } from '../errors.js';
import { runFailback } from './failback.js';
import { applyFault, rollBack, type FaultContext } from './faults.js';
import { awaitSteadyState, judgeable, pollUntil, steadyState } from './hypothesis.js';
import type { Experiment } from './model/experiment.js';
import type { HypothesisReport, Journal, StepRecord } from './model/journal.js';
import type { ActionStep, Step, WaveStep } from './model/steps.js';
import { planRollback, planSelected } from './plan.js';
import {
  endStepRecord,
  newJournal,
  runEnding,
  startStepRecord,
  waitUnlessStopped,
  watchAbortWhen,
  watchStops,
  type StopReason,
} from './run-watch.js';
import { BlastRadius } from './select.js';
import { AuditLog } from './state/audit.js';
import { JournalStore } from './state/journal.js';
import { acquireLock } from './state/lock.js';
import type { RunnerDeps } from './run-deps.js';
import type { ChaosSpan } from './tracing.js';

export class ExperimentRun {
  readonly #exp: Experiment;
  readonly #deps: RunnerDeps;
  readonly #store: JournalStore;
  readonly #audit: AuditLog;
  readonly #stop = new AbortController();
  #stopReason: StopReason | undefined;
  #journal!: Journal;
  readonly #radius: BlastRadius;
  readonly #random: () => number;
  #span: ChaosSpan | undefined;

  constructor(experiment: Experiment, deps: RunnerDeps) {
    this.#exp = experiment;
    this.#deps = deps;
    this.#store = new JournalStore(deps.stateDir);
    this.#audit = new AuditLog(deps.stateDir);
    this.#radius = new BlastRadius(experiment.blastRadius, experiment.targets);
    this.#random = deps.random ?? Math.random;
  }

  /** Runs to the end and returns the final journal. Rejects only when it cannot start (lock, state dir). */
  async run(): Promise<Journal> {
    const runId = this.#store.newRunId(this.#exp.name);
    const lock = await acquireLock(this.#deps.stateDir, { runId, experiment: this.#exp.name, pid: process.pid });
    const cleanups: (() => void)[] = [];
    try {
      this.#journal = newJournal({
        runId,
        experiment: this.#exp.name,
        file: this.#exp.file,
        operator: this.#deps.operator,
        ...(this.#deps.approvedBy ? { approvedBy: this.#deps.approvedBy } : {}),
      });
      const rollbackError = await planRollback(this.#exp, this.#random).then(
        (plan) => ((this.#journal.rollbackPlan = plan), undefined),
        (error: unknown) => errorMessage(error),
      );
      await this.#store.create(this.#journal);
      this.#span = this.#deps.tracer?.startSpan(`chaos ${this.#exp.name}`, {
        'canary.chaos.experiment': this.#exp.name,
        'canary.chaos.run_id': runId,
        'canary.chaos.operator': this.#deps.operator,
      });
      await this.#auditEvent('run.start', this.#deps.approvedBy ? `approved by ${this.#deps.approvedBy}` : undefined);
      this.#deps.bus.emit('chaos.run.start', { experiment: this.#exp.name, runId });
      cleanups.push(
        ...watchStops({
          stateDir: this.#deps.stateDir,
          maxDurationMs: this.#exp.maxDurationMs,
          ...(this.#deps.signal ? { signal: this.#deps.signal } : {}),
          stop: (reason) => this.#stopWith(reason),
        }),
      );
      // A rollback that cannot be planned could not be run either: nothing starts without one.
      if (rollbackError !== undefined)
        this.#stopWith({
          status: 'failed',
          reason: `the rollback cannot be planned, nothing was done: ${rollbackError}`,
          verifyAfter: false,
        });
      else await this.#execute();
      return this.#journal;
    } finally {
      for (const off of cleanups) off();
      await this.#finish();
      await lock.release();
    }
  }

  async #execute(): Promise<void> {
    const before = await this.#before();
    if (!before) return;
    await this.#method();
    await this.#rollback();
    await this.#after(Date.now());
  }

  /** The steady state before the method: waits for enough results, then judges. */
  async #before(): Promise<boolean> {
    const tolerances = this.#exp.steadyState;
    await pollUntil(
      () => judgeable(tolerances, this.#deps.windows),
      (ok) => ok,
      this.#deps.warmupTimeoutMs,
      this.#stop.signal,
    );
    const report = steadyState(tolerances, this.#deps.windows);
    this.#journal.steadyState.before = report;
    await this.#save();
    if (this.#stop.signal.aborted) return false;
    if (!report.holds) {
      // Not a deviation: the system was not steady before anything was done to it.
      this.#stopWith({
        status: 'failed',
        reason: 'the steady state did not hold before the method: nothing was done',
        verifyAfter: false,
      });
      return false;
    }
    return true;
  }

  /** The method, step by step, until its end or a stop. */
  async #method(): Promise<void> {
    const offAbort = watchAbortWhen({
      bus: this.#deps.bus,
      windows: this.#deps.windows,
      tolerances: this.#exp.abortWhen,
      stopped: () => this.#stop.signal.aborted,
      tripped: (report) => this.#abortTripped(report),
    });
    try {
      for (const step of this.#exp.method) {
        if (this.#stop.signal.aborted) return;
        const record = startStepRecord(step.id, step.action);
        this.#journal.steps.push(record);
        const error = await this.#step(step, record);
        endStepRecord(record, error);
        await this.#save();
        if (error !== undefined && !this.#stop.signal.aborted)
          this.#stopWith({ status: 'failed', reason: `${step.id} failed: ${error}`, verifyAfter: true });
      }
    } finally {
      offAbort();
    }
  }

  /** Runs one step of the method; returns an error text, or undefined when it went well. */
  async #step(step: Step, record: StepRecord): Promise<string | undefined> {
    if (step.action === 'pause') return waitUnlessStopped(step.durationMs, this.#stop.signal).then(() => undefined);
    if (step.action === 'failback' || step.action === 'restore') return this.#failback(step);
    return this.#actionStep(step, record);
  }

  /** Brings killed instances back in waves; a gate that does not return stops the run (aborted). */
  async #failback(step: WaveStep): Promise<string | undefined> {
    const target = this.#exp.targets[step.target];
    if (!target) return `unknown target ${step.target}`;
    const result = await runFailback(step, new Set(target.instances.map((i) => i.name)), {
      ctx: this.#faultContext(),
      windows: this.#deps.windows,
      steadyState: this.#exp.steadyState,
      signal: this.#stop.signal,
      random: this.#random,
      release: (instances) => this.#radius.release(target.name, instances),
    });
    if (result.gateFailed && result.error) {
      this.#journal.deviated = true;
      this.#stopWith({ status: 'aborted', reason: `${step.id}: ${result.error}`, verifyAfter: true });
    }
    return result.error;
  }

  /** Selects, admits through the blast radius, plans and applies one action step. Returns an error text or undefined. */
  async #actionStep(step: ActionStep, record: StepRecord): Promise<string | undefined> {
    try {
      const faults = await planSelected(this.#exp, step, this.#random, this.#radius);
      for (const planned of faults) {
        if (this.#stop.signal.aborted) return undefined;
        const fault = await applyFault(this.#faultContext(), planned, this.#stop.signal);
        record.faults.push(fault.seq);
        if (fault.status === 'apply_failed')
          return `${planned.instance ?? 'call'}: ${fault.applyOutcome?.error ?? 'failed'}`;
      }
      return undefined;
    } catch (error) {
      return errorMessage(error);
    }
  }

  /** Reverts every fault (always), then runs the rollback list as the strategy says. */
  async #rollback(): Promise<void> {
    const failedMethod = this.#stopReason !== undefined;
    if (await rollBack(this.#faultContext(), this.#exp.rollbackStrategy, failedMethod)) return;
    const reason = 'a revert or rollback call failed: check the journal and the audit log';
    this.#stopWith({ status: 'failed', reason, verifyAfter: true }, true);
  }

  /** Recovery: the steady state again, judged on results after the rollback only. */
  async #after(since: number): Promise<void> {
    if (this.#stopReason && !this.#stopReason.verifyAfter) return;
    const report = await awaitSteadyState(
      this.#exp.steadyState,
      this.#deps.windows,
      this.#exp.recoveryTimeoutMs,
      this.#deps.signal,
      since,
    );
    this.#journal.steadyState.after = report;
    if (!report.holds) this.#journal.deviated = true;
  }

  /** Ends the journal: status from how the run went. */
  async #finish(): Promise<void> {
    const j = this.#journal;
    if (!j) return;
    const ending = runEnding(this.#stopReason, j.deviated);
    j.status = ending.status;
    if (ending.reason !== undefined) j.reason = ending.reason;
    j.endedAt = new Date().toISOString();
    await this.#save();
    const outcome = `${j.status}${j.reason ? `: ${j.reason}` : ''}`;
    await this.#auditEvent('run.end', outcome);
    this.#span?.end(j.status === 'completed' ? undefined : outcome);
    this.#deps.bus.emit('chaos.run.end', { experiment: j.experiment, runId: j.runId, status: j.status });
  }

  /** A tripped abort condition: recorded, and the method stops. */
  #abortTripped(report: HypothesisReport): void {
    this.#journal.steadyState.aborted = report;
    this.#journal.deviated = true;
    const failed = report.entries
      .filter((e) => e.holds)
      .map((e) => e.check)
      .join(', ');
    this.#stopWith({ status: 'aborted', reason: `abortWhen met for ${failed}`, verifyAfter: true });
  }

  /** Records the first reason to stop (or a later failure when `override`), and stops the method. */
  #stopWith(reason: StopReason, override = false): void {
    if (!this.#stopReason || override) this.#stopReason = reason;
    if (!this.#stop.signal.aborted) {
      this.#deps.logger.warn({ experiment: this.#exp.name, status: reason.status }, reason.reason);
      this.#stop.abort(new Error(reason.reason));
    }
  }

  #faultContext(): FaultContext {
    return {
      journal: this.#journal,
      store: this.#store,
      audit: this.#audit,
      operator: this.#deps.operator,
      ...(this.#span ? { span: this.#span } : {}),
    };
  }

  #save(): Promise<void> {
    return this.#store.save(this.#journal);
  }

  #auditEvent(event: 'run.start' | 'run.end', detail?: string): Promise<void> {
    return this.#audit.append({
      event,
      operator: this.#deps.operator,
      experiment: this.#exp.name,
      runId: this.#journal.runId,
      ...(detail ? { detail } : {}),
    });
  }
}
