/**
 * Every process the benchmark starts goes through here, so that all of them are killed
 * when the benchmark ends, fails, or is interrupted: a stray agent or exporter would
 * keep a core busy and spoil the next run's numbers.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

const live = new Set<ChildProcess>();
const cleanups: (() => void)[] = [];
let hooked = false;

function killAll(): void {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  live.clear();
  for (const cleanup of cleanups.splice(0)) {
    try {
      cleanup();
    } catch {
      // Best effort on the way out.
    }
  }
}

/** Runs `cleanup` (synchronous) when the benchmark exits, however it exits. */
export function atExit(cleanup: () => void): void {
  hookExit();
  cleanups.push(cleanup);
}

/** Kills every child on exit, on SIGINT/SIGTERM (then exits 130/143) and on an uncaught error. */
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAll);
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.on(signal, () => {
      console.error(`\nbench: ${signal}, stopping children`);
      killAll();
      process.exit(code);
    });
  }
}

/** A started child, with its output kept (bounded) for error messages. */
export interface Started {
  child: ChildProcess;
  pid: number;
  /** The last few KiB of stdout and stderr. */
  output(): string;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
}

const KEEP_OUTPUT = 8 * 1024;

/** Starts `command` as a tracked child. Rejects when it cannot be started at all. */
export async function start(command: string, args: readonly string[], options: SpawnOptions = {}): Promise<Started> {
  hookExit();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  live.add(child);
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-KEEP_OUTPUT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => live.delete(child));
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  if (child.pid === undefined) throw new Error(`${command} did not start`);
  return { child, pid: child.pid, output: () => tail, exited };
}

/**
 * Stops a child: `signal` first (SIGTERM lets the agent flush a CPU profile), SIGKILL
 * after `graceMs`. Resolves once it has exited.
 */
export async function stop(started: Started, graceMs = 5_000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const { child } = started;
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, graceMs);
  });
  await Promise.race([started.exited, killed]);
  clearTimeout(timer);
  await started.exited;
}

/** Sleeps `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` every `everyMs` until it returns true, or throws after `timeoutMs` naming `what`. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean> | boolean,
  timeoutMs: number,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; Date.now() < deadline && i < 100_000; i++) {
    if (await probe()) return;
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
