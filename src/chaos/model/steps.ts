/**
 * The steps of an experiment's method and rollback, as validated: action steps that make
 * calls, pauses, and the wave steps that bring instances back.
 */
import type { HttpRequestSpec } from './target.js';

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
  toxics: {
    name: string;
    type: string;
    stream: 'upstream' | 'downstream';
    toxicity: number;
    attributes: Record<string, unknown>;
  }[];
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
