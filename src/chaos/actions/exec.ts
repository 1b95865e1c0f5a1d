/**
 * Runs `exec` calls: one program, never a shell, with a timeout that ends in SIGKILL and
 * output kept to its last few KiB.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { CallOutcome } from '../model/calls.js';
import { TailBuffer } from './tail.js';
import { elapsedMs, type CallExecutor, type CallOf } from './types.js';

/** Bytes kept of stdout and of stderr, each. */
const OUTPUT_LIMIT = 4096;
/** How long a program has between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 2000;
/** After the program exits, how long its pipes may stay open (a child it left may hold them). */
const PIPE_GRACE_MS = 500;

/** How a program ended. */
interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the program could not be started. */
  spawnError?: NodeJS.ErrnoException;
  /** Set when the executor stopped it: why. */
  stopped?: string;
  stdout: TailBuffer;
  stderr: TailBuffer;
}

/** The executor of `exec` calls. */
export const execExecutor: CallExecutor<'exec'> = {
  kind: 'exec',
  async run(call, signal) {
    const startedAt = performance.now();
    const program = call.argv[0];
    if (program === undefined || program === '')
      return { ok: false, output: '', error: 'exec call has an empty argv', durationMs: 0 };
    if (signal.aborted) return { ok: false, output: '', error: 'aborted before it started', durationMs: 0 };
    const ended = await runProgram(call, signal);
    const outcome: CallOutcome = { ok: false, output: formatOutput(ended), durationMs: elapsedMs(startedAt) };
    const error = describeFailure(program, ended);
    if (error === undefined) outcome.ok = true;
    else outcome.error = error;
    return outcome;
  },
};

/**
 * The child's environment: PATH, so `argv[0]` resolves as it would in a shell, plus the
 * call's own variables, and nothing else. The agent's environment holds secrets (the
 * control API token, exporter credentials, cloud keys) that a chaos command has no business
 * seeing, and a call that carries its whole environment can be replayed from the journal
 * by another process and behave the same.
 */
function childEnv(call: CallOf<'exec'>): NodeJS.ProcessEnv {
  const path = process.env.PATH;
  return path === undefined ? { ...call.env } : { PATH: path, ...call.env };
}

/** Signals the child's whole process group; the child alone when the group is gone already. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

function runProgram(call: CallOf<'exec'>, signal: AbortSignal): Promise<Ended> {
  return new Promise<Ended>((resolve) => {
    const ended: Ended = {
      code: null,
      signal: null,
      stdout: new TailBuffer(OUTPUT_LIMIT),
      stderr: new TailBuffer(OUTPUT_LIMIT),
    };
    let child: ChildProcess;
    try {
      // Its own process group, so a stop reaches what it started too (`sh -c 'sleep 99 &'`, ssh, kubectl plugins).
      child = spawn(call.argv[0] as string, call.argv.slice(1), {
        shell: false,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: childEnv(call),
      });
    } catch (err) {
      // Invalid arguments (a NUL byte in argv) throw here instead of emitting 'error'.
      resolve({ ...ended, spawnError: err as NodeJS.ErrnoException });
      return;
    }
    const timers: NodeJS.Timeout[] = [];
    const stop = (why: string): void => {
      if (ended.stopped !== undefined || child.exitCode !== null || child.signalCode !== null) return;
      ended.stopped = why;
      killGroup(child, 'SIGTERM');
      timers.push(setTimeout(() => killGroup(child, 'SIGKILL'), KILL_GRACE_MS));
    };
    const onAbort = (): void => stop('aborted');
    const finish = (): void => {
      for (const timer of timers) clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(ended);
    };
    timers.push(setTimeout(() => stop(`timed out after ${call.timeoutMs}ms`), call.timeoutMs));
    signal.addEventListener('abort', onAbort, { once: true });
    child.stdout?.on('data', (chunk: Buffer) => ended.stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => ended.stderr.push(chunk));
    child.on('error', (err: NodeJS.ErrnoException) => {
      // 'error' also reports a failed kill of a running child; only a failed start matters.
      if (child.pid === undefined) ended.spawnError = err;
    });
    child.on('exit', (code, exitSignal) => {
      ended.code = code;
      ended.signal = exitSignal;
      for (const timer of timers) clearTimeout(timer);
      timers.push(setTimeout(() => [child.stdout, child.stderr].forEach((s) => s?.destroy()), PIPE_GRACE_MS));
    });
    child.on('close', finish);
  });
}

/** Why the call failed, or undefined when it succeeded. */
function describeFailure(program: string, ended: Ended): string | undefined {
  const { spawnError, stopped, code, signal } = ended;
  if (spawnError !== undefined) {
    if (spawnError.code === 'ENOENT') {
      const where = program.includes('/') ? '' : ' on PATH';
      return `cannot run "${program}": no such program${where} (ENOENT)`;
    }
    if (spawnError.code === 'EACCES') return `cannot run "${program}": permission denied (EACCES)`;
    return `cannot run "${program}": ${spawnError.message}`;
  }
  const how = signal !== null ? `killed by ${signal}` : `exited with code ${String(code)}`;
  if (stopped !== undefined) return `${stopped}; ${how}`;
  return code === 0 ? undefined : how;
}

/** The kept tails of stdout and stderr, each under its own heading; empty when both were. */
function formatOutput(ended: Ended): string {
  const parts: string[] = [];
  if (ended.stdout.total > 0) parts.push(`[stdout]\n${ended.stdout.text()}`);
  if (ended.stderr.total > 0) parts.push(`[stderr]\n${ended.stderr.text()}`);
  return parts.join('\n');
}
