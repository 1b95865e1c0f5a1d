/** The benchmark's side of the holding target: starting it and reading its hold log. */
import { ask, benchScript, nextMessage, startNode, type Target } from '../ipc.js';

/** Cap of the target's hold log; a 30 s window at 20 probes/s logs 600. */
export const HOLD_LOG_CAP = 100_000;

/** Starts the holding target (`hold-target.ts`) and waits for its port. */
export async function startHoldTarget(holdMs: number, logCap = HOLD_LOG_CAP): Promise<Target> {
  const process = await startNode(benchScript('timing/hold-target.js'), [String(holdMs), String(logCap)]);
  const { port } = await nextMessage<{ port: number }>(process, 10_000);
  return { process, origin: `http://127.0.0.1:${port}` };
}

/** The hold log drained from the target. */
export interface HoldLog {
  /** Hold in ms by request id. */
  holds: Map<string, number>;
  /** Holds not logged because the log was full. */
  dropped: number;
}

/** Takes the target's hold log, leaving it empty for the next window. */
export async function drainHolds(target: Target): Promise<HoldLog> {
  // A full log is a few MiB of JSON over the channel: give it time.
  const answer = await ask<{ holds: [string, number][]; dropped: number }>(target.process, 'holds', 30_000);
  return { holds: new Map(answer.holds), dropped: answer.dropped };
}
