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
import { awaitRecovery, steadyBefore, watchAborts } from './hypothesis-run.js';
import type { Experiment } from './model/experiment.js';
import type { HypothesisReport, Journal, StepRecord } from './model/journal.js';
import type { ActionStep, Step, WaveStep } from './model/steps.js';
import { planSelected } from './plan.js';
import { notify } from './progress.js';
import { RunRecorder } from './run-record.js';
import {
  abortReason,
  endStepRecord,
  plannedJournal,
  outcomeOf,
  runEnding,
  startDetail,
  startStepRecord,
  waitUnlessStopped,
  watchStops,
  type StopReason,
} from './run-watch.js';
import { BlastRadius } from './select.js';
import { acquireLock } from './state/lock.js';
import { fleetWatchOf, keepActiveAlert, linkRun } from './fleet/active-alert.js';
import type { RunnerDeps } from './run-deps.js';
import type { ChaosSpan } from './tracing.js';

export class ExperimentRun {
  readonly #exp: Experiment;
  readonly #deps: RunnerDeps;
  readonly #records: RunRecorder;
  readonly #stop = new AbortController();
  #stopReason: StopReason | undefined;
  #journal!: Journal;
  readonly #radius: BlastRadius;
  readonly #random: () => number;
  #span: ChaosSpan | undefined;
  #alert: { stop(): Promise<void> } | undefined;

  constructor(experiment: Experiment, deps: RunnerDeps) {
    this.#exp = experiment;
    this.#deps = deps;
    // A record that cannot be written fails the run and stops its method; the rollback still runs.
    this.#records = new RunRecorder(deps.stateDir, deps.logger, (reason) =>
      this.#stopWith({ status: 'failed', reason, verifyAfter: false }, this.#stopReason?.status !== 'failed'),
    );
    this.#radius = new BlastRadius(experiment.blastRadius, experiment.targets);
    this.#random = deps.random ?? Math.random;
  }

  /**
   * Runs to the end and returns the final journal. Rejects only when it cannot start (lock,
   * state dir); once started, a state dir that stops taking writes ends the run `failed`
   * after its rollback, never before (see run-record.ts).
   */
  async run(): Promise<Journal> {
    const runId = this.#records.store.newRunId(this.#exp.name);
    const lock = await acquireLock(this.#deps.stateDir, { runId, experiment: this.#exp.name, pid: process.pid });
    let rollbackError: string | undefined;
    try {
      rollbackError = await this.#start(runId);
    } catch (error) {
      // Nothing was applied: the run never started, and its lock goes.
      await this.#records.releaseLock(lock);
      throw error;
    }
    const cleanups = watchStops({
      stateDir: this.#deps.stateDir,
      maxDurationMs: this.#exp.maxDurationMs,
      ...(this.#deps.signal ? { signal: this.#deps.signal } : {}),
      ...fleetWatchOf(this.#journal, this.#deps),
      stop: (reason) => this.#stopWith(reason),
    });
    try {
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
      await this.#records.releaseLock(lock);
    }
  }

  /** Creates the journal, starts the span, audits the start; returns why the rollback cannot be planned, if so. */
  async #start(runId: string): Promise<string | undefined> {
    const { operator, approvedBy } = this.#deps;
    const { journal, rollbackError } = await plannedJournal(this.#exp, { runId, operator, approvedBy }, this.#random);
    this.#journal = journal;
    linkRun(journal, this.#exp, this.#deps);
    await this.#records.create(this.#journal);
    this.#span = this.#deps.tracer?.startSpan(`chaos ${this.#exp.name}`, {
      'canary.chaos.experiment': this.#exp.name,
      'canary.chaos.run_id': runId,
      'canary.chaos.operator': this.#deps.operator,
    });
    await this.#records.auditRun('run.start', operator, startDetail(journal));
    if (journal.alert) this.#alert = keepActiveAlert(journal.alert, this.#deps.logger);
    this.#deps.bus.emit('chaos.run.start', { experiment: this.#exp.name, runId });
    return rollbackError;
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
    const report = await steadyBefore(this.#exp, this.#deps, this.#stop.signal);
    this.#journal.steadyState.before = report;
    notify(this.#deps.progress, { type: 'hypothesis', phase: 'before', report });
    await this.#records.save('after the steady state before');
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
    const offAbort = watchAborts(this.#exp, this.#deps, {
      stopped: () => this.#stop.signal.aborted,
      tripped: (report) => this.#abortTripped(report),
      unjudged: (report) => (this.#journal.steadyState.abortUnjudged = report),
    });
    try {
      for (const step of this.#exp.method) {
        if (this.#stop.signal.aborted) return;
        const record = startStepRecord(step.id, step.action);
        this.#journal.steps.push(record);
        notify(this.#deps.progress, { type: 'step.start', step: step.id, action: step.action });
        const error = await this.#step(step, record);
        endStepRecord(record, error);
        notify(this.#deps.progress, { type: 'step.end', step: step.id, status: record.status, error });
        await this.#records.save(`after ${step.id}`);
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
    const report = await awaitRecovery(this.#exp, this.#deps, since);
    this.#journal.steadyState.after = report;
    notify(this.#deps.progress, { type: 'hypothesis', phase: 'after', report });
    if (!report.holds) this.#journal.deviated = true;
  }

  /** Ends the journal: status from how the run went (`failed` when its records could not all be written). */
  async #finish(): Promise<void> {
    const j = this.#journal;
    if (!j) return;
    this.#end(j);
    await this.#records.save('at the end of the run');
    await this.#records.auditRun('run.end', this.#deps.operator, outcomeOf(j));
    if (this.#records.failure !== undefined && j.status !== 'failed') {
      // One of the two writes just above failed: the run fails, and the journal says so if it can.
      this.#end(j);
      await this.#records.save('with its failed status');
    }
    await this.#alert?.stop();
    this.#span?.end(j.status === 'completed' ? undefined : outcomeOf(j));
    this.#deps.bus.emit('chaos.run.end', { experiment: j.experiment, runId: j.runId, status: j.status });
  }

  #end(j: Journal): void {
    const ending = runEnding(this.#stopReason, j.deviated);
    j.status = ending.status;
    if (ending.reason !== undefined) j.reason = ending.reason;
    j.endedAt = new Date().toISOString();
  }

  /** A tripped abort condition: recorded, and the method stops. */
  #abortTripped(report: HypothesisReport): void {
    this.#journal.steadyState.aborted = report;
    notify(this.#deps.progress, { type: 'hypothesis', phase: 'abort', report });
    this.#journal.deviated = true;
    this.#stopWith({ status: 'aborted', reason: abortReason(report), verifyAfter: true });
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
      store: this.#records.store,
      audit: this.#records.audit,
      operator: this.#deps.operator,
      ...(this.#span ? { span: this.#span } : {}),
      unrecorded: (what, error) => this.#records.unrecorded(what, error),
      progress: this.#deps.progress,
    };
  }
}
