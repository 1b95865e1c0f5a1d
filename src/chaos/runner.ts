/**
 * Runs one experiment: steady state before, method, rollback, steady state after, each a
 * function of its own (the order and the rollback policy stay readable here). Unlike
 * tools that skip rollbacks when the method fails, every fault applied is reverted
 * whatever ended the method (failure, abort, halt, maxDuration, SIGTERM), and recovery is
 * verified by the hypothesis, not assumed.
 */
import type { RunTracer, SpanHandle } from '../exporters/otel.js';
import type { Logger } from '../log.js';
import type { EventBus } from '../results/bus.js';
import type { ResultWindows } from '../results/window.js';
import { runFailback } from './failback.js';
import { applyFault, revertAll, runRollbackCalls, type FaultContext } from './faults.js';
import { judgeable, pollUntil, steadyState } from './hypothesis.js';
import { newJournal, watchAbortWhen, watchStops, type StopReason } from './run-watch.js';
import { planStep } from './plan.js';
import { BlastRadius, selectInstances } from './select.js';
import { AuditLog } from './state/audit.js';
import { JournalStore } from './state/journal.js';
import { acquireLock } from './state/lock.js';
import type { ActionStep, Experiment, WaveStep, HypothesisReport, Journal, PlannedFault, StepRecord } from './types.js';

/** What a run needs from its surroundings. */
export interface RunnerDeps {
  stateDir: string;
  /** Live results of the hypothesis checks (the agent's windows, or a runner's own). */
  windows: ResultWindows;
  bus: EventBus;
  logger: Logger;
  operator: string;
  approvedBy?: string;
  /** SIGINT/SIGTERM from the caller: roll back, end as `interrupted`. */
  signal?: AbortSignal;
  /** Longest wait for enough results to judge the steady state before the method. */
  warmupTimeoutMs: number;
  random?: () => number;
  /** Tracing, when on: a span per run and per call. */
  tracer?: RunTracer;
}


/** Budget for rollback calls: they run after an abort, so they get their own clock. */
const ROLLBACK_BUDGET_MS = 120_000;

export class ExperimentRun {
  readonly #exp: Experiment;
  readonly #d: RunnerDeps;
  readonly #store: JournalStore;
  readonly #audit: AuditLog;
  readonly #stop = new AbortController();
  #stopReason: StopReason | undefined;
  #journal!: Journal;
  #radius: BlastRadius;
  #span: SpanHandle | undefined;

  constructor(experiment: Experiment, deps: RunnerDeps) {
    this.#exp = experiment;
    this.#d = deps;
    this.#store = new JournalStore(deps.stateDir);
    this.#audit = new AuditLog(deps.stateDir);
    this.#radius = new BlastRadius(experiment.blastRadius, experiment.targets);
  }

  /** Runs to the end and returns the final journal. Rejects only when it cannot start (lock, state dir). */
  async run(): Promise<Journal> {
    const runId = this.#store.newRunId(this.#exp.name);
    const lock = await acquireLock(this.#d.stateDir, { runId, experiment: this.#exp.name, pid: process.pid });
    const cleanups: (() => void)[] = [];
    try {
      this.#journal = newJournal({ runId, experiment: this.#exp.name, file: this.#exp.file, operator: this.#d.operator, ...(this.#d.approvedBy ? { approvedBy: this.#d.approvedBy } : {}) });
      const rollbackError = await this.#planRollback().then(
        (plan) => ((this.#journal.rollbackPlan = plan), undefined),
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
      await this.#store.create(this.#journal);
      this.#span = this.#d.tracer?.startSpan(`chaos ${this.#exp.name}`, { 'canary.chaos.experiment': this.#exp.name, 'canary.chaos.run_id': runId, 'canary.chaos.operator': this.#d.operator });
      await this.#auditEvent('run.start', this.#d.approvedBy ? `approved by ${this.#d.approvedBy}` : undefined);
      this.#d.bus.emit('chaos.run.start', { experiment: this.#exp.name, runId });
      cleanups.push(...watchStops({ stateDir: this.#d.stateDir, maxDurationMs: this.#exp.maxDurationMs, ...(this.#d.signal ? { signal: this.#d.signal } : {}), stop: (reason) => this.#stopWith(reason) }));
      // A rollback that cannot be planned could not be run either: nothing starts without one.
      if (rollbackError !== undefined) this.#stopWith({ status: 'failed', reason: `the rollback cannot be planned, nothing was done: ${rollbackError}`, verifyAfter: false });
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
    await pollUntil(() => judgeable(tolerances, this.#d.windows), (ok) => ok, this.#d.warmupTimeoutMs, this.#stop.signal);
    const report = steadyState(tolerances, this.#d.windows);
    this.#journal.steadyState.before = report;
    await this.#save();
    if (this.#stop.signal.aborted) return false;
    if (!report.holds) {
      // Not a deviation: the system was not steady before anything was done to it.
      this.#stopWith({ status: 'failed', reason: 'the steady state did not hold before the method: nothing was done', verifyAfter: false });
      return false;
    }
    return true;
  }

  /** The method, step by step, until its end or a stop. */
  async #method(): Promise<void> {
    const offAbort = watchAbortWhen({
      bus: this.#d.bus,
      windows: this.#d.windows,
      tolerances: this.#exp.abortWhen,
      stopped: () => this.#stop.signal.aborted,
      tripped: (report) => this.#abortTripped(report),
    });
    try {
      for (const step of this.#exp.method) {
        if (this.#stop.signal.aborted) return;
        const record: StepRecord = { id: step.id, action: step.action, startedAt: new Date().toISOString(), status: 'running', faults: [] };
        this.#journal.steps.push(record);
        const error =
          step.action === 'pause' ? await this.#pause(step.durationMs) : step.action === 'failback' || step.action === 'restore' ? await this.#failback(step) : await this.#actionStep(step, record);
        record.endedAt = new Date().toISOString();
        record.status = error === undefined ? 'ok' : 'failed';
        if (error !== undefined) record.error = error;
        await this.#save();
        if (error !== undefined && !this.#stop.signal.aborted) this.#stopWith({ status: 'failed', reason: `${step.id} failed: ${error}`, verifyAfter: true });
      }
    } finally {
      offAbort();
    }
  }

  async #pause(ms: number): Promise<undefined> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      const signal = this.#stop.signal;
      signal.addEventListener('abort', done, { once: true });
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
    });
    return undefined;
  }

  /** Brings killed instances back in waves; a gate that does not return stops the run (aborted). */
  async #failback(step: WaveStep): Promise<string | undefined> {
    const target = this.#exp.targets[step.target];
    if (!target) return `unknown target ${step.target}`;
    const result = await runFailback(step, new Set(target.instances.map((i) => i.name)), {
      ctx: this.#faultContext(),
      windows: this.#d.windows,
      steadyState: this.#exp.steadyState,
      signal: this.#stop.signal,
      random: this.#d.random ?? Math.random,
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
      const faults = await this.#plan(step, true);
      for (const planned of faults) {
        if (this.#stop.signal.aborted) return undefined;
        const fault = await applyFault(this.#faultContext(), planned, this.#stop.signal);
        record.faults.push(fault.seq);
        if (fault.status === 'apply_failed') return `${planned.instance ?? 'call'}: ${fault.applyOutcome?.error ?? 'failed'}`;
      }
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  /** Plans a step on its selected instances; `admit` charges them to the blast radius first. */
  async #plan(step: ActionStep, admit: boolean): Promise<PlannedFault[]> {
    const target = step.target === undefined ? undefined : this.#exp.targets[step.target];
    if (step.target !== undefined && !target) throw new Error(`unknown target ${step.target}`);
    const instances = target ? selectInstances(target, step.selection, this.#d.random ?? Math.random) : [];
    if (target && instances.length === 0) throw new Error(`target ${target.name} has no instances${target.unresolved ? `: ${target.unresolved}` : ''}`);
    if (admit && target) this.#radius.admit(target.name, instances.map((i) => i.name));
    return planStep(step, target, instances);
  }

  /** The rollback list, planned at start so that recovery after a crash needs no experiment file. */
  async #planRollback(): Promise<PlannedFault[]> {
    const out: PlannedFault[] = [];
    if (this.#exp.rollbackStrategy === 'never') return out;
    for (const step of this.#exp.rollback) out.push(...(await this.#plan(step, false)));
    return out;
  }

  /** Reverts every fault (always), then runs the rollback list as the strategy says. */
  async #rollback(): Promise<void> {
    const signal = AbortSignal.timeout(ROLLBACK_BUDGET_MS);
    const ctx = this.#faultContext();
    let ok = await revertAll(ctx, signal);
    const failedMethod = this.#stopReason !== undefined;
    const strategy = this.#exp.rollbackStrategy;
    if (strategy === 'always' || (strategy === 'on-failure' && failedMethod)) {
      if (!(await runRollbackCalls(ctx, this.#journal.rollbackPlan, signal))) ok = false;
    }
    if (!ok) this.#stopWith({ status: 'failed', reason: 'a revert or rollback call failed: check the journal and the audit log', verifyAfter: true }, true);
  }

  /** Recovery: the steady state again, judged on results after the rollback only. */
  async #after(since: number): Promise<void> {
    if (this.#stopReason && !this.#stopReason.verifyAfter) return;
    const tolerances = this.#exp.steadyState;
    const report = await pollUntil(
      () => steadyState(tolerances, this.#d.windows, Date.now(), since),
      (r) => r.holds,
      this.#exp.recoveryTimeoutMs,
      this.#d.signal,
    );
    this.#journal.steadyState.after = report;
    if (!report.holds) this.#journal.deviated = true;
  }

  /** Ends the journal: status from how the run went. */
  async #finish(): Promise<void> {
    const j = this.#journal;
    if (!j) return;
    const stop = this.#stopReason;
    if (stop) {
      j.status = stop.status;
      j.reason = stop.reason;
    } else if (j.deviated) {
      j.status = 'deviated';
      j.reason = 'the steady state did not return after the rollback';
    } else j.status = 'completed';
    j.endedAt = new Date().toISOString();
    await this.#save();
    await this.#auditEvent('run.end', `${j.status}${j.reason ? `: ${j.reason}` : ''}`);
    this.#span?.end(j.status === 'completed' ? undefined : `${j.status}${j.reason ? `: ${j.reason}` : ''}`);
    this.#d.bus.emit('chaos.run.end', { experiment: j.experiment, runId: j.runId, status: j.status });
  }

  /** A tripped abort condition: recorded, and the method stops. */
  #abortTripped(report: HypothesisReport): void {
    this.#journal.steadyState.aborted = report;
    this.#journal.deviated = true;
    const failed = report.entries.filter((e) => e.holds).map((e) => e.check).join(', ');
    this.#stopWith({ status: 'aborted', reason: `abortWhen met for ${failed}`, verifyAfter: true });
  }

  /** Records the first reason to stop (or a later failure when `override`), and stops the method. */
  #stopWith(reason: StopReason, override = false): void {
    if (!this.#stopReason || override) this.#stopReason = reason;
    if (!this.#stop.signal.aborted) {
      this.#d.logger.warn({ experiment: this.#exp.name, status: reason.status }, reason.reason);
      this.#stop.abort(new Error(reason.reason));
    }
  }

  #faultContext(): FaultContext {
    return { journal: this.#journal, store: this.#store, audit: this.#audit, operator: this.#d.operator, ...(this.#span ? { span: this.#span } : {}) };
  }

  #save(): Promise<void> {
    return this.#store.save(this.#journal);
  }

  #auditEvent(event: 'run.start' | 'run.end', detail?: string): Promise<void> {
    return this.#audit.append({ event, operator: this.#d.operator, experiment: this.#exp.name, runId: this.#journal.runId, ...(detail ? { detail } : {}) });
  }
}
