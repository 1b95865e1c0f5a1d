/**
 * One lab process the supervisor manages: spawned detached (its own process group, so a
 * Ctrl-C in the terminal or a signal to the supervisor's group does not reach it), with
 * stdout and stderr appended to its log file, and ready once its pid file names it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { CanaryError, ERROR_CODES } from '../../errors.js';
import { isAlive, readPid } from './pidfile.js';

/** Everything needed to (re)start one process the same way every time. */
export interface ProcessSpec {
  readonly name: string;
  readonly role: 'balancer' | 'backend';
  /** Base URL it serves, without a trailing slash. */
  readonly url: string;
  /** Arguments after the node executable: the entry script, then its flags. */
  readonly argv: readonly string[];
  readonly pidFile: string;
  readonly logFile: string;
}

/** A spawned process and how it ended. */
export class ManagedProcess {
  readonly spec: ProcessSpec;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();

  constructor(spec: ProcessSpec) {
    this.spec = spec;
  }

  /** True while the process this object spawned has not exited. */
  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Exit code of the spawned process once it exited with one, else `null`. */
  get exitCode(): number | null {
    return this.#child?.exitCode ?? null;
  }

  /** Pid of the spawned process, even after it exited; `undefined` before the first start. */
  get childPid(): number | undefined {
    return this.#child?.pid;
  }

  /** Spawns the process and resolves with its pid once its pid file names it. */
  async start(timeoutMs: number): Promise<number> {
    const log = openSync(this.spec.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [...this.spec.argv], { detached: true, stdio: ['ignore', log, log] });
    } finally {
      closeSync(log);
    }
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('error', () => undefined);
    const pid = child.pid;
    if (pid === undefined) throw this.#failure('could not be spawned');
    await this.#waitForPidFile(pid, timeoutMs);
    return pid;
  }

  /** Resolves true once the spawned process has exited, false after `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<boolean> {
    if (!this.running) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const exited = await Promise.race([this.#exited.then(() => true), timeout]);
    clearTimeout(timer);
    return exited;
  }

  async #waitForPidFile(pid: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await readPid(this.spec.pidFile)) === pid) return;
      if (!this.running)
        throw this.#failure(
          `exited before it was ready (code ${this.#child?.exitCode}, signal ${this.#child?.signalCode})`,
        );
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    throw this.#failure(`did not write its pid file ${this.spec.pidFile} within ${timeoutMs} ms`);
  }

  #failure(what: string): CanaryError {
    return new CanaryError(
      ERROR_CODES.state,
      `lab process ${this.spec.name} ${what}; log ${this.spec.logFile}:\n${tail(this.spec.logFile)}`,
    );
  }
}

/** The last lines of a log file, for error messages. */
function tail(file: string, lines = 10): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
