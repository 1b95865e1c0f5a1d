/**
 * Where faults land: targets and their instances, how a killed instance is started again,
 * and the drivers that reach instances which are not local processes.
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
export type TargetDriver =
  | { kind: 'exec'; kill: ExecSpec; restore: ExecSpec }
  | { kind: 'http'; kill: HttpRequestSpec; restore: HttpRequestSpec };

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
