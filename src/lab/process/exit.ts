/**
 * The way out of a lab child process: on SIGTERM or SIGINT, remove the pid file, stop
 * listening and exit 0. SIGKILL skips all of it, and leaves a stale pid file behind, as
 * it does for real services.
 */
import type { Server } from 'node:http';
import { closeServer } from '../../net/listen.js';
import { removePidFileSync } from './pidfile.js';

/** Past this after a stop signal, open connections are cut and the process exits anyway. */
const GRACE_MS = 2_000;

/** Installs the stop-signal handlers of a child process serving `server`. */
export function exitOnStopSignal(server: Server, pidFile: string, log: (msg: string, fields?: object) => void): void {
  const stop = (signal: NodeJS.Signals) => {
    log('stop signal received', { signal });
    // The pid file goes first: once a reader sees it gone, nothing new should be sent here.
    removePidFileSync(pidFile, process.pid);
    const force = setTimeout(() => {
      server.closeAllConnections();
      process.exit(0);
    }, GRACE_MS);
    force.unref();
    void closeServer(server).then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** One JSON line on stdout (the supervisor sends stdout to the process's log file). */
export function jsonLog(name: string): (msg: string, fields?: object) => void {
  return (msg, fields = {}) => {
    process.stdout.write(
      `${JSON.stringify({ time: new Date().toISOString(), name, pid: process.pid, msg, ...fields })}\n`,
    );
  };
}
