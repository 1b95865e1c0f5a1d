/** The ceiling phase: raw undici in its own process (see raw-undici.ts), counted over IPC. */
import { sleep, stop } from './children.js';
import { ask, benchScript, startNode } from './ipc.js';
import { measureWindow } from './measure.js';
import type { PacerCounts } from './pacer.js';
import { attachProfile, periodMs, profilingFlags, type PhaseOptions, type PhaseResult } from './phase.js';

export async function benchRawUndici(options: PhaseOptions): Promise<PhaseResult> {
  const maxSeconds = Math.ceil((options.warmupMs + options.settleMs + options.windowMs) / 1000) + 30;
  const args = [options.target.origin, String(options.checks), String(periodMs(options)), String(maxSeconds)];
  const profiling = profilingFlags(options, 'undici');
  const prober = await startNode(benchScript('raw-undici.js'), args, profiling.flags);
  let result: PhaseResult;
  try {
    const window = await measureWindow({
      ...options,
      pid: prober.pid,
      snapshot: () => ask<PacerCounts>(prober, 'counts'),
    });
    result = { name: 'undici', label: `raw undici, new Client per probe (${options.rate}/s)`, window, notes: {} };
  } finally {
    // Closing the IPC channel makes it exit normally, which is when node writes a CPU profile.
    if (prober.child.connected) prober.child.disconnect();
    await Promise.race([prober.exited, sleep(5_000)]);
    await stop(prober, 5_000);
  }
  return attachProfile(result, profiling.dir);
}
