import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { cliPath, repoRoot } from './paths.js';

/** What a finished CLI run printed and how it exited. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `canary ARGS` to completion (killed after `timeoutMs`), from the repository root unless `cwd` says. */
export function runCli(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, ...options.env },
      timeout: options.timeoutMs ?? 30_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A long-running CLI process (`canary run`) whose JSON log lines can be awaited. */
export class CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: string[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #waiters: (() => void)[] = [];

  constructor(args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd: string = repoRoot) {
    this.child = spawn(process.execPath, [cliPath, ...args], { cwd, env: { ...process.env, ...env } });
    let partial = '';
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      this.lines.push(...parts);
      for (const wake of this.#waiters) wake();
    });
    this.child.stderr.setEncoding('utf8').on('data', (c: string) => (this.stderr += c));
    // 'close', not 'exit': output still in the pipes has been read by then.
    this.exited = new Promise((resolve) => this.child.on('close', (code, signal) => resolve({ code, signal })));
  }

  /** Parsed JSON log lines (non-JSON lines skipped). */
  logs(): Record<string, unknown>[] {
    return this.lines.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }

  /** Waits for a log line matching `predicate`, or rejects after `timeoutMs` (or if the process exits first). */
  async waitForLog(
    predicate: (log: Record<string, unknown>) => boolean,
    timeoutMs = 15_000,
  ): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.logs().find(predicate);
      if (found) return found;
      if (this.child.exitCode !== null) {
        // 'exit' can come before the last of stdout is read: look again once the streams close.
        await this.exited;
        const late = this.logs().find(predicate);
        if (late) return late;
        const tail = this.lines.slice(-10).join('\n');
        throw new Error(`process exited (${this.child.exitCode}) first; last stdout:\n${tail}\nstderr: ${this.stderr}`);
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `no matching log line within ${timeoutMs} ms; stdout:\n${this.lines.join('\n')}\nstderr: ${this.stderr}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, 250));
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.#waiters.push(done);
      });
      this.#waiters = [];
    }
  }

  /** The agent's base URL from its "HTTP server listening" line. */
  async url(): Promise<string> {
    const line = await this.waitForLog((l) => typeof l.url === 'string' && l.msg === 'HTTP server listening');
    return line.url as string;
  }

  /** Kills the process if it is still running (test cleanup). */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}
