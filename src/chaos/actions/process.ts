/**
 * Runs `signal` calls: one signal to the process a pid file named when the fault was
 * planned, and only while the pid file still names it.
 */
import type { CallOutcome } from '../model/calls.js';
import { isSignallablePid, processStartTicks, readPidFile } from './pid.js';
import { elapsedMs, messageWithCause, type CallExecutor, type CallOf } from './types.js';

/** The executor of `signal` calls. */
export const signalExecutor: CallExecutor<'signal'> = {
  kind: 'signal',
  async run(call, signal) {
    const startedAt = performance.now();
    const fail = (error: string): CallOutcome => ({ ok: false, output: '', error, durationMs: elapsedMs(startedAt) });
    // Calls may come from a journal on disk: check again what planning checked.
    if (!isSignallablePid(call.pid))
      return fail(`refusing to send ${call.signal} to pid ${call.pid}: not a single process other than init`);
    if (signal.aborted) return fail('aborted before it started');
    const resuming = call.signal === 'SIGCONT';
    const read = await readPidFile(call.pidFile);
    let note = '';
    if (!read.ok || read.pid !== call.pid) {
      const now = read.ok ? `pid file ${call.pidFile} now holds pid ${read.pid}` : read.error;
      // A restarted service writes a new pid; the old pid may since name an unrelated
      // process, which must not be stopped or killed. SIGCONT is the exception: it is what
      // undoes a stop, is harmless to a running process, and skipping it could leave the
      // old process stopped for good.
      if (!resuming) return fail(`process ${call.pid} was replaced or is gone (${now}); ${call.signal} not sent`);
      note = ` (${now})`;
    }
    // The pid file may be stale and its pid reused by an unrelated process since planning.
    if (call.startTicks !== undefined) {
      const ticks = await processStartTicks(call.pid);
      if (ticks !== undefined && ticks !== call.startTicks) {
        if (resuming)
          return {
            ok: true,
            output: `pid ${call.pid} is another process now: the stopped one is gone, nothing left stopped${note}`,
            durationMs: elapsedMs(startedAt),
          };
        return fail(
          `pid ${call.pid} is another process now (started at tick ${ticks}, the planned one at ${call.startTicks}); ${call.signal} not sent`,
        );
      }
    }
    return send(call, note, startedAt);
  },
};

function send(call: CallOf<'signal'>, note: string, startedAt: number): CallOutcome {
  const durationMs = (): number => elapsedMs(startedAt);
  try {
    process.kill(call.pid, call.signal);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ESRCH' && call.signal === 'SIGCONT') {
      return { ok: true, output: `pid ${call.pid} is gone: nothing left stopped${note}`, durationMs: durationMs() };
    }
    if (code === 'ESRCH')
      return { ok: false, output: '', error: `no such process: pid ${call.pid}${note}`, durationMs: durationMs() };
    if (code === 'EPERM')
      return {
        ok: false,
        output: '',
        error: `not permitted to signal pid ${call.pid} (EPERM)`,
        durationMs: durationMs(),
      };
    return {
      ok: false,
      output: '',
      error: `cannot send ${call.signal} to pid ${call.pid}: ${messageWithCause(err)}`,
      durationMs: durationMs(),
    };
  }
  return { ok: true, output: `sent ${call.signal} to pid ${call.pid}${note}`, durationMs: durationMs() };
}
