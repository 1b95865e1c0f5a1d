/**
 * The chaos engine's shared vocabulary: a validated experiment, the calls that apply and
 * revert faults, and the journal that records them. Plain data throughout, so a journal
 * written by one process can be completed by another (`canary chaos recover`).
 */

/** One instance of a target: what actions act on. */
export interface Instance {
  /** Unique within its target, e.g. `backend-1`. */
  name: string;
  /** Absolute path of a file holding the instance's pid (process actions). */
  pidFile?: string;
  /** A URL for the instance, usable as `{url}` in exec argv and http URLs. */
  url?: string;
  /** Free values usable as `{var.NAME}`. */
  vars: Record<string, string>;
}

/** How an instance is started again after a kill (per instance: placeholders filled in). */
export interface StartSpec {
  argv: string[];
  env: Record<string, string>;
  /** Absolute working directory; absent: the runner's. */
  cwd?: string;
  /** How long the new process has to write a live pid into its pid file. */
  timeoutMs: number;
}

/** One HTTP request of a target driver or a step, placeholders not yet filled in. */
export interface HttpRequestSpec {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  expectStatus: number[];
  timeoutMs: number;
}

/** One program run of an exec target driver, placeholders not yet filled in. */
export interface ExecSpec {
  argv: string[];
  env: Record<string, string>;
  timeoutMs: number;
}

/**
 * How a `kill` reaches instances that are not local processes: a program per instance
 * (systemctl, kubectl, ssh) or a request per instance (an orchestrator's or the lab's
 * API). `{signal}` is the kill's signal; `restore` is the kill's revert.
 */
export type TargetDriver = { kind: 'exec'; kill: ExecSpec; restore: ExecSpec } | { kind: 'http'; kill: HttpRequestSpec; restore: HttpRequestSpec };

/** A named set of instances (`targets:` in an experiment). */
export interface Target {
  name: string;
  instances: Instance[];
  /** Present: a killed instance is restarted with this, which is the kill's revert. */
  start?: StartSpec;
  /** Present: kills and restores go through it instead of signals and pid files. */
  driver?: TargetDriver;
  /** Why the target has no instances, when it was resolved from something not there (a lab not running). */
  unresolved?: string;
}

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

/** How many of a target's instances a step acts on. Neither: all of them. */
export interface Selection {
  count?: number;
  percent?: number;
}

/** Fields every action step has. */
interface StepBase {
  /** Position in the experiment, e.g. `method[2]` or `rollback[0]`: stable ids for journals. */
  id: string;
  /** Target whose instances the step acts on; without one the step runs once, on no instance. */
  target?: string;
  selection: Selection;
}

/** Run a program (never a shell). `{instance}`, `{pid}`, `{url}`, `{var.X}` are replaced per instance. */
export interface ExecStep extends StepBase {
  action: 'exec';
  argv: string[];
  env: Record<string, string>;
  timeoutMs: number;
  /** What undoes it, run on the same instances. */
  revert?: { argv: string[]; env: Record<string, string>; timeoutMs: number };
}

/** Send one HTTP request and expect a status. */
export interface HttpStep extends StepBase, HttpRequestSpec {
  action: 'http';
  revert?: HttpRequestSpec;
}

/**
 * Signal the processes named by the target's pid files. SIGSTOP/SIGTSTP are reverted by
 * SIGCONT; other signals (a `kill` step) by the target's `start`, when it has one.
 */
export interface ProcessStep extends StepBase {
  action: 'process';
  signal: NodeJS.Signals;
  /** Written as `kill`: on a target with a driver, the driver's kill and restore stand in for the signal. */
  kill: boolean;
}

/**
 * Add toxics to a proxy of a fault proxy (`canary proxy`, or Toxiproxy itself) through its
 * REST API; the revert deletes them. Each toxic also carries a ttl, so it expires on its
 * own should every runner die.
 */
export interface ProxyStep extends StepBase {
  action: 'proxy';
  /** Base URL of the proxy's API, e.g. `http://127.0.0.1:8474`. */
  api: string;
  /** Name of the proxy the toxics go on. */
  proxy: string;
  toxics: { name: string; type: string; stream: 'upstream' | 'downstream'; toxicity: number; attributes: Record<string, unknown> }[];
  /** Lifetime of each toxic in ms. */
  ttlMs: number;
  timeoutMs: number;
}

/** Wait, watching the abort conditions. */
export interface PauseStep {
  id: string;
  action: 'pause';
  durationMs: number;
}

/**
 * Bring back, in waves, the instances of a target that earlier steps of the run (a kill,
 * or an exec or http call with a revert)
 * took down; each wave is gated on the steady state. `all-at-once` is one wave, for
 * comparison.
 */
interface WaveStepBase {
  id: string;
  target: string;
  strategy: 'staggered' | 'all-at-once';
  /** Instances per wave (staggered); with `waves`, the count is derived from it. */
  waveSize?: number;
  waves?: number;
  /** Wait after each wave before the gate is judged. */
  intervalMs: number;
  /** A random extra wait, up to this, after each wave. */
  jitterMs: number;
  /** How long the steady state may take to return after a wave before the failback stops. */
  gateTimeoutMs: number;
  /** Judge the steady state after each wave (false for `restore`). */
  gate: boolean;
}

export interface FailbackStep extends WaveStepBase {
  action: 'failback';
}

/** Everything taken down comes back now: an all-at-once failback without a gate. */
export interface RestoreStep extends WaveStepBase {
  action: 'restore';
}

/** A step that brings instances back. */
export type WaveStep = FailbackStep | RestoreStep;

export type ActionStep = ExecStep | HttpStep | ProcessStep | ProxyStep;
export type Step = ActionStep | PauseStep | WaveStep;

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
}

/** A validated experiment, paths absolute, defaults applied. */
export interface Experiment {
  name: string;
  description: string;
  tags: string[];
  /** Absolute path of the file it came from. */
  file: string;
  targets: Record<string, Target>;
  steadyState: Tolerance[];
  abortWhen: Tolerance[];
  blastRadius: { maxInstances?: number; maxPercent?: number };
  method: Step[];
  rollback: ActionStep[];
  rollbackStrategy: RollbackStrategy;
  maxDurationMs: number;
  /** How long to wait after rollback for the steady state to return. */
  recoveryTimeoutMs: number;
  schedule?: ExperimentSchedule;
  requireApproval: boolean;
}

/**
 * A call an action makes, fully resolved: serialisable, so it can be journaled before it
 * runs and replayed by another process. Exactly what the audit log records.
 */
export type Call =
  | { kind: 'exec'; argv: string[]; env: Record<string, string>; timeoutMs: number }
  | { kind: 'http'; method: string; url: string; headers: Record<string, string>; body?: string; expectStatus: number[]; timeoutMs: number }
  | { kind: 'signal'; pid: number; pidFile: string; signal: NodeJS.Signals; startTicks?: number }
  | { kind: 'spawn'; argv: string[]; env: Record<string, string>; cwd?: string; pidFile: string; timeoutMs: number };

/*
 * `startTicks` of a signal call: when the process started (see processStartTicks), taken
 * when the fault is planned, so a later signal never reaches a process that merely reuses
 * the pid. Absent where /proc is not available.
 */

/** What running a call gave. A failed call is a value, not an exception. */
export interface CallOutcome {
  ok: boolean;
  /** Output worth keeping (stdout/stderr tail, HTTP status and body start), at most a few KiB. */
  output: string;
  /** Why not ok. */
  error?: string;
  durationMs: number;
}

/** One fault on one instance: the call that applies it and the one that reverts it. */
export interface PlannedFault {
  /** The step it comes from, e.g. `method[0]`. */
  step: string;
  /** Instance name, when the step has a target. */
  instance?: string;
  apply: Call;
  /** Absent when nothing can undo it (a SIGKILL, an exec without `revert`). */
  revert?: Call;
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
  entries: { check: string; holds: boolean; samples: number; values: Partial<Record<'successRatio' | 'p50' | 'p95' | 'p99', number>>; failed: string[] }[];
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

/** The journal of one run: rewritten atomically at every change, fsynced. */
export interface Journal {
  version: 1;
  runId: string;
  experiment: string;
  file: string;
  host: string;
  pid: number;
  operator: string;
  approvedBy?: string;
  startedAt: string;
  endedAt?: string;
  status: RunStatus;
  /** Why it ended as it did, for humans. */
  reason?: string;
  /** The steady state deviated at some point (before, during or after). */
  deviated: boolean;
  steadyState: { before?: HypothesisReport; aborted?: HypothesisReport; after?: HypothesisReport };
  steps: StepRecord[];
  rollbacks: StepRecord[];
  faults: FaultRecord[];
  /** The experiment's rollback calls, resolved at start, so recovery does not need the file. */
  rollbackPlan: PlannedFault[];
  /** Failback waves, in order. */
  waves?: WaveRecord[];
}
