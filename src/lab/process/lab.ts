/**
 * A running process lab: list, signal, restart and stop its processes by name. Built by
 * {@link startLab}; the control API and `canary lab` drive it.
 */
import { constants } from 'node:os';
import { CanaryError, ERROR_CODES } from '../../errors.js';
import type { ManagedProcess } from './child.js';
import { readPidSync, removePidFileSync, runsScript } from './pidfile.js';

/** One lab process as `list()` and `GET /lab` show it. */
export interface LabProcessStatus {
  name: string;
  role: 'balancer' | 'backend';
  /** Base URL, without a trailing slash. */
  url: string;
  /** Pid of the running process; `null` when none runs. */
  pid: number | null;
  alive: boolean;
  pidFile: string;
  logFile: string;
  /** Node arguments that start it again exactly as the lab does (for chaos `start.argv`). */
  argv: string[];
}

/** What `kill()` did. */
export interface LabKillResult {
  name: string;
  pid: number;
  signal: NodeJS.Signals;
  /** True when a terminating signal was sent and the process is gone. */
  exited: boolean;
}

/** Signals after which `kill()` waits (bounded) for the process to be gone. */
const TERMINATING = new Set<string>(['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP']);
const KILL_WAIT_MS = 5_000;
const STOP_GRACE_MS = 3_000;

/** True for a signal name this platform knows, such as `SIGKILL`. */
export function isSignalName(name: string): name is NodeJS.Signals {
  return Object.hasOwn(constants.signals, name);
}

/** The processes of one lab, by name. */
export class ProcessLab {
  readonly #processes: ReadonlyMap<string, ManagedProcess>;
  readonly #startTimeoutMs: number;
  /** Operations run one at a time, so two `start`s of one name never spawn twice. */
  #serial: Promise<unknown> = Promise.resolve();

  /** In-process parts (the origin) closed after the processes stop. */
  readonly #resources: readonly { close(): Promise<void> }[];

  constructor(
    processes: readonly ManagedProcess[],
    startTimeoutMs: number,
    resources: readonly { close(): Promise<void> }[] = [],
  ) {
    this.#processes = new Map(processes.map((p) => [p.spec.name, p]));
    this.#startTimeoutMs = startTimeoutMs;
    this.#resources = resources;
  }

  /** Names of every process, balancer first. */
  get names(): string[] {
    return [...this.#processes.keys()];
  }

  /** Status of every process now. */
  list(): LabProcessStatus[] {
    return [...this.#processes.values()].map((p) => status(p));
  }

  /** Sends `signal` (default SIGKILL) to a running process; waits for it to die when the signal ends it. */
  kill(name: string, signal: string = 'SIGKILL'): Promise<LabKillResult> {
    return this.#run(async () => {
      if (!isSignalName(signal)) throw new CanaryError(ERROR_CODES.usage, `unknown signal ${JSON.stringify(signal)}`);
      const proc = this.#get(name);
      const pid = currentPid(proc);
      if (pid === undefined) throw new CanaryError(ERROR_CODES.state, `lab process ${name} is not running`);
      process.kill(pid, signal);
      const exited = TERMINATING.has(signal) ? await gone(proc, pid, KILL_WAIT_MS) : false;
      return { name, pid, signal, exited };
    });
  }

  /** Starts a stopped process again with the same argv, port and pid file. */
  start(name: string): Promise<LabProcessStatus> {
    return this.#run(async () => {
      const proc = this.#get(name);
      const pid = currentPid(proc);
      if (pid !== undefined)
        throw new CanaryError(ERROR_CODES.state, `lab process ${name} is already running (pid ${pid})`);
      await proc.start(this.#startTimeoutMs);
      return status(proc);
    });
  }

  /** Starts every process in `names` (in order), for `startLab`. */
  async startAll(names: readonly string[]): Promise<void> {
    await Promise.all(names.map((name) => this.#get(name).start(this.#startTimeoutMs)));
  }

  /**
   * Stops every process: SIGCONT (a stopped process cannot act on SIGTERM), SIGTERM, and
   * SIGKILL for any still there after 3 s. Stale pid files of dead processes are removed.
   */
  stop(): Promise<void> {
    return this.#run(async () => {
      await Promise.all([...this.#processes.values()].map((p) => stopOne(p)));
      await Promise.all(this.#resources.map((r) => r.close()));
    });
  }

  /**
   * SIGKILLs every running process at once, synchronously: the last resort of a
   * supervisor that is exiting without a clean stop (a second Ctrl-C, a crash), so that
   * no lab process outlives it.
   */
  killAllSync(): void {
    for (const proc of this.#processes.values()) {
      const pid = currentPid(proc);
      if (pid !== undefined) signal(pid, 'SIGKILL');
    }
  }

  #get(name: string): ManagedProcess {
    const proc = this.#processes.get(name);
    if (!proc)
      throw new CanaryError(
        ERROR_CODES.usage,
        `no lab process named ${JSON.stringify(name)} (known: ${this.names.join(', ')})`,
      );
    return proc;
  }

  #run<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.#serial.then(operation);
    this.#serial = result.catch(() => undefined);
    return result;
  }
}

/**
 * The pid of the running process: the one spawned here, or one its pid file names that
 * runs the same script (restarted by someone else, such as a chaos `kill` revert).
 */
function currentPid(proc: ManagedProcess): number | undefined {
  if (proc.running) return proc.childPid;
  const pid = readPidSync(proc.spec.pidFile);
  return pid !== undefined && runsScript(pid, proc.spec.argv[0] as string) ? pid : undefined;
}

function status(proc: ManagedProcess): LabProcessStatus {
  const pid = currentPid(proc);
  const { name, role, url, pidFile, logFile, argv } = proc.spec;
  return { name, role, url, pid: pid ?? null, alive: pid !== undefined, pidFile, logFile, argv: [...argv] };
}

async function gone(proc: ManagedProcess, pid: number, timeoutMs: number): Promise<boolean> {
  if (proc.childPid === pid) return proc.waitForExit(timeoutMs);
  const deadline = Date.now() + timeoutMs;
  while (runsScript(pid, proc.spec.argv[0] as string)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

async function stopOne(proc: ManagedProcess): Promise<void> {
  const pid = currentPid(proc);
  if (pid !== undefined) {
    signal(pid, 'SIGCONT');
    signal(pid, 'SIGTERM');
    if (!(await gone(proc, pid, STOP_GRACE_MS))) {
      signal(pid, 'SIGKILL');
      await gone(proc, pid, STOP_GRACE_MS);
    }
  }
  const stale = readPidSync(proc.spec.pidFile);
  if (stale !== undefined && !runsScript(stale, proc.spec.argv[0] as string))
    removePidFileSync(proc.spec.pidFile, stale);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone between the check and the signal.
  }
}
