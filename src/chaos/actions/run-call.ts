/**
 * Runs any call by dispatching on its kind. The runner and `canary chaos recover` use only
 * this: they hold calls read from a journal and need not know how each kind is run.
 */
import { revealSecrets } from '../../secrets/reveal.js';
import type { Call, CallOutcome } from '../model/calls.js';
import { execExecutor } from './exec.js';
import { httpExecutor } from './http.js';
import { signalExecutor } from './process.js';
import { spawnExecutor } from './spawn.js';
import { messageWithCause } from './types.js';

/**
 * Runs `call` once and says how it went. Never throws: a failed call, and even a bug in an
 * executor, comes back as `{ ok: false, error }`, because the caller must journal an
 * outcome whatever happened.
 *
 * @param signal - aborts the call (a halt).
 * @example const outcome = await runCall(fault.apply, AbortSignal.timeout(60_000));
 */
export async function runCall(journaled: Call, signal: AbortSignal): Promise<CallOutcome> {
  const startedAt = performance.now();
  // A call read back from the journal holds hash markers where its secrets were.
  const { value: call, unknown } = revealSecrets(journaled);
  if (unknown.length > 0) return unknownSecrets(unknown);
  try {
    switch (call.kind) {
      case 'exec':
        return await execExecutor.run(call, signal);
      case 'http':
        return await httpExecutor.run(call, signal);
      case 'signal':
        return await signalExecutor.run(call, signal);
      case 'spawn':
        return await spawnExecutor.run(call, signal);
      default:
        return unknownKind(call);
    }
  } catch (err) {
    return {
      ok: false,
      output: '',
      error: `internal error running a ${call.kind} call: ${messageWithCause(err)}`,
      durationMs: performance.now() - startedAt,
    };
  }
}

function unknownSecrets(hashes: readonly string[]): CallOutcome {
  const error = `the call needs secrets this process does not know (${hashes.join(', ')}): run it with the environment and secret files of the run's experiment`;
  return { ok: false, output: '', error, durationMs: 0 };
}

/** A journal written by a newer version may hold kinds this one does not know. */
function unknownKind(call: never): CallOutcome {
  const kind = (call as { kind?: unknown }).kind;
  return { ok: false, output: '', error: `unknown call kind ${JSON.stringify(kind)}`, durationMs: 0 };
}
