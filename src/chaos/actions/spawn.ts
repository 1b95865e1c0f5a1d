/**
 * Runs `spawn` calls: starts an instance again after a kill, as its target's `start`
 * says, detached from the runner (the service must outlive the runner, and a runner
 * killed with SIGKILL must not take the restarted service with it).
 */
import { spawn } from 'node:child_process';
import type { CallOutcome } from '../model/calls.js';
import { readPidFile } from './pid.js';
import { elapsedMs, messageWithCause, type CallExecutor } from './types.js';
import { pidAlive } from '../state/process.js';

const POLL_MS = 50;

/** The pid file's pid when it names a live process. */
async function livePid(pidFile: string): Promise<number | undefined> {
  const read = await readPidFile(pidFile);
  return read.ok && pidAlive(read.pid) ? read.pid : undefined;
}

export const spawnExecutor: CallExecutor<'spawn'> = {
  kind: 'spawn',
  async run(call, signal) {
    const startedAt = performance.now();
    const done = (ok: boolean, output: string, error?: string): CallOutcome => ({
      ok,
      output,
      ...(error ? { error } : {}),
      durationMs: elapsedMs(startedAt),
    });
    // Starting a second copy beside a live one would fight it for its port: a restore of
    // an instance that is already back is a success with nothing to do.
    const running = await livePid(call.pidFile);
    if (running !== undefined) return done(true, `already running (pid ${running})`);
    const [program, ...args] = call.argv as [string, ...string[]];
    let spawnError: Error | undefined;
    try {
      // Only PATH from the runner's environment: the service gets what the experiment says, not the runner's secrets.
      const child = spawn(program, args, {
        detached: true,
        stdio: 'ignore',
        env: { PATH: process.env.PATH ?? '', ...call.env },
        ...(call.cwd ? { cwd: call.cwd } : {}),
      });
      child.on('error', (error) => (spawnError = error));
      child.unref();
    } catch (error) {
      return done(false, '', `cannot start ${program}: ${messageWithCause(error)}`);
    }
    const until = Date.now() + call.timeoutMs;
    while (Date.now() < until && !signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      if (spawnError) return done(false, '', `cannot start ${program}: ${spawnError.message}`);
      const pid = await livePid(call.pidFile);
      if (pid !== undefined) return done(true, `started (pid ${pid})`);
    }
    return done(
      false,
      '',
      signal.aborted
        ? 'aborted while waiting for the pid file'
        : `no live pid in ${call.pidFile} within ${call.timeoutMs} ms`,
    );
  },
};
