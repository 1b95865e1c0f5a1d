/**
 * The journal of one run: what was applied, reverted and measured, rewritten atomically at
 * every change. Plain data, so a journal written by one process can be completed by
 * another (`canary chaos recover`).
 */
import type { CallOutcome, PlannedFault } from './calls.js';

/** One failback wave, as the journal records it. */
export interface WaveRecord {
  step: string;
  wave: number;
  startedAt: string;
  endedAt: string;
  instances: string[];
  /** Per hypothesis check, measured over the wave (from its start to the gate's verdict). */
  checks: { check: string; samples: number; successRatio?: number; p95?: number }[];
  /** The steady state returned within gateTimeout. */
  gate: boolean;
}

/** Journal status of one fault. */
export type FaultStatus = 'pending' | 'applied' | 'apply_failed' | 'reverted' | 'revert_failed';

export interface FaultRecord extends PlannedFault {
  /** Index in the journal's faults, stable. */
  seq: number;
  status: FaultStatus;
  appliedAt?: string;
  revertedAt?: string;
  applyOutcome?: CallOutcome;
  revertOutcome?: CallOutcome;
}

/** How a run ended. `running` only while it runs (or when its runner died). */
export type RunStatus = 'running' | 'completed' | 'deviated' | 'aborted' | 'interrupted' | 'failed';

/** A measured steady-state check: per entry, the values seen and whether it held. */
export interface HypothesisReport {
  at: string;
  holds: boolean;
  entries: {
    check: string;
    holds: boolean;
    samples: number;
    values: Partial<Record<'successRatio' | 'p50' | 'p95' | 'p99', number>>;
    failed: string[];
    /** PromQL entries: the series seen, `{labels} value`. */
    observed?: string[];
    /** PromQL entries: false when Prometheus gave no usable answer (error, empty, stale). */
    judgeable?: boolean;
    /** PromQL entries: Prometheus could not be asked or answered stale (not merely empty). */
    blind?: boolean;
  }[];
}

/** A step of the method or of the rollback, as it went. */
export interface StepRecord {
  id: string;
  action: string;
  startedAt: string;
  endedAt?: string;
  status: 'running' | 'ok' | 'failed' | 'skipped';
  /** Faults (by seq) the step applied. */
  faults: number[];
  error?: string;
}

/** The alert that shows the run in Alertmanager, and where. */
export interface AlertLink {
  alertmanager: string;
  labels: Record<string, string>;
}

/** The journal of one run: rewritten atomically at every change, fsynced. */
export interface Journal {
  version: 1;
  runId: string;
  experiment: string;
  file: string;
  host: string;
  pid: number;
  /** The runner's start time (clock ticks since boot) and boot id: with the pid, which process ran it. */
  startTicks?: number;
  bootId?: string;
  operator: string;
  approvedBy?: string;
  startedAt: string;
  endedAt?: string;
  status: RunStatus;
  /** Why it ended as it did, for humans. */
  reason?: string;
  /** The steady state deviated at some point (before, during or after). */
  deviated: boolean;
  steadyState: {
    before?: HypothesisReport;
    aborted?: HypothesisReport;
    after?: HypothesisReport;
    /** The last time a PromQL abort condition could not be judged during the method (it did not trip). */
    abortUnjudged?: HypothesisReport;
  };
  steps: StepRecord[];
  rollbacks: StepRecord[];
  faults: FaultRecord[];
  /** The experiment's rollback calls, resolved at start, so recovery does not need the file. */
  rollbackPlan: PlannedFault[];
  /** Failback waves, in order. */
  waves?: WaveRecord[];
  /** The `CanaryChaosExperimentActive` alert kept firing while it ran (with `chaos.alertmanager`). */
  alert?: AlertLink;
}
