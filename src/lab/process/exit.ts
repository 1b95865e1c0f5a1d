/**
 * The way out of a lab child process: on SIGTERM or SIGINT, or when the supervisor that
 * started it is gone, remove the pid file, stop listening and exit 0. SIGKILL skips all of it, and leaves a stale pid file behind, as
 * it does for real services.
 */
import type { Server } from 'node:http';
import { errorMessage } from '../../errors.js';
import { closeServer } from '../../net/listen.js';
import { isAlive, removePidFileSync } from './pidfile.js';

/** Past this after a stop signal, open connections are cut and the process exits anyway. */
const GRACE_MS = 2_000;

/** How often a child looks for its parent. */
const PARENT_CHECK_MS = 500;

/**
 * Installs the stop-signal handlers of a child process serving `server`; with `parentPid`,
 * the child also stops once that process is gone. Children live in their own process
 * groups (a chaos kill must hit one alone), so nothing else would end them when their
 * supervisor is killed with SIGKILL.
 */
export function exitOnStopSignal(
  server: Server,
  pidFile: string,
  log: (msg: string, fields?: object) => void,
  parentPid?: number,
): void {
  const stop = (why: object) => {
    log('stopping', why);
    // The pid file goes first: once a reader sees it gone, nothing new should be sent here.
    removePidFileSync(pidFile, process.pid);
    const force = setTimeout(() => {
      server.closeAllConnections();
      process.exit(0);
    }, GRACE_MS);
    force.unref();
    void closeServer(server).then(() => process.exit(0));
  };
  process.once('SIGTERM', (signal) => stop({ signal }));
  process.once('SIGINT', (signal) => stop({ signal }));
  if (parentPid === undefined) return;
  const watch = setInterval(() => {
    if (isAlive(parentPid)) return;
    clearInterval(watch);
    stop({ parentGone: parentPid });
  }, PARENT_CHECK_MS);
  watch.unref();
}

/**
 * Exit code of a child whose port was taken between the supervisor choosing it and the
 * child binding it; the supervisor then tries again with other free ports.
 */
export const PORT_TAKEN_EXIT = 98;

/** Logs why a child could not start and exits: {@link PORT_TAKEN_EXIT} for a taken port, else 1. */
export function exitCannotStart(err: unknown, log: (msg: string, fields?: object) => void): never {
  log('cannot start', { error: errorMessage(err) });
  process.exit((err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? PORT_TAKEN_EXIT : 1);
}

/** One JSON line on stdout (the supervisor sends stdout to the process's log file). */
export function jsonLog(name: string): (msg: string, fields?: object) => void {
  return (msg, fields = {}) => {
    process.stdout.write(
      `${JSON.stringify({ time: new Date().toISOString(), name, pid: process.pid, msg, ...fields })}\n`,
    );
  };
}
