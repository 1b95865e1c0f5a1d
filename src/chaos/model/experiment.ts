/**
 * A validated experiment: its targets, steady state and abort conditions, method,
 * rollback and schedule. Built by `load.ts` from a file, read by the runner.
 */
import type { ActionStep, Step } from './steps.js';
import type { Target } from './target.js';

/** `>= 0.99`, `< 300ms`: latencies are kept in seconds, ratios as fractions. */
export interface Comparison {
  op: '<' | '<=' | '>' | '>=' | '==';
  value: number;
  /** As written, for reports: `< 300ms`. */
  text: string;
}

/**
 * One entry of `steadyState` or `abortWhen`: a check, a window, and comparisons that must
 * all be true for the entry to hold. A steady state holds when every entry holds; an
 * abort condition trips when any entry holds.
 */
export interface Tolerance {
  check: string;
  windowMs: number;
  /** Results needed in the window before the entry can be judged at all. */
  minSamples: number;
  successRatio?: Comparison;
  p50?: Comparison;
  p95?: Comparison;
  p99?: Comparison;
}

/**
 * One PromQL entry of `steadyState` or `abortWhen`, judged by the fleet's Prometheus: holds
 * when the answer is a fresh, non-empty vector whose every element meets `expect` (without
 * `expect`, a comparison inside the expression filters, so non-empty means it holds).
 */
export interface PromqlEntry {
  promql: string;
  expect?: Comparison;
  /** How often it is evaluated while waited for or watched. */
  everyMs: number;
  /** An answer stamped earlier than this before now is stale: it does not hold. */
  staleAfterMs: number;
}

/** When rollbacks run. `always`: after every method, whatever its outcome. */
export type RollbackStrategy = 'always' | 'on-failure' | 'never';

/** A time window in which a scheduled experiment may start. */
export interface TimeWindow {
  /** Days of the week, 0 = Sunday. */
  days: number[];
  /** Minutes after midnight, local to `timeZone`. */
  startMinute: number;
  endMinute: number;
  /** IANA name, e.g. `Europe/Berlin`. */
  timeZone: string;
}

export interface ExperimentSchedule {
  cron: string;
  /** Empty: any time. */
  windows: TimeWindow[];
  /** Least time between the end of one run and the start of the next. */
  minGapMs: number;
  /** Regions take turns: each starts its slot after the cron tick. */
  fleet?: FleetTurns;
}

/** `schedule.fleet`: the region at index i starts i × gap after each cron tick. */
export interface FleetTurns {
  regions: string[];
  gapMs: number;
}

/** `requireErrorBudget`: a run needs this much of a check's SLO error budget left. */
export interface ErrorBudgetGate {
  /** The check whose `slo:` is judged. */
  slo: string;
  /** Least remaining budget, a ratio in (0, 1]. */
  min: number;
}

/** A validated experiment, paths absolute, defaults applied. */
export interface Experiment {
  name: string;
  description: string;
  tags: string[];
  /** Absolute path of the file it came from. */
  file: string;
  /** Absolute path of the agent config the file names (`config:`), the CLI's default for it. */
  config?: string;
  targets: Record<string, Target>;
  steadyState: Tolerance[];
  abortWhen: Tolerance[];
  /** The PromQL entries of `steadyState` and `abortWhen`, when there are any. */
  promql?: { steadyState: PromqlEntry[]; abortWhen: PromqlEntry[] };
  blastRadius: { maxInstances?: number; maxPercent?: number };
  method: Step[];
  rollback: ActionStep[];
  rollbackStrategy: RollbackStrategy;
  maxDurationMs: number;
  /** How long to wait after rollback for the steady state to return. */
  recoveryTimeoutMs: number;
  schedule?: ExperimentSchedule;
  requireApproval: boolean;
  requireErrorBudget?: ErrorBudgetGate;
}
