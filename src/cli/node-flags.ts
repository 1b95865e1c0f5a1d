/**
 * The V8 settings the agent is started with: every way of starting it (the `canary` bin's
 * shebang, `npm start`, the systemd unit, the container image, the benchmark) passes these,
 * and a test checks that they all do. They only take effect on the command line: V8 sizes
 * its young generation when the process starts.
 *
 * A probing agent keeps little live data and makes a steady stream of short-lived garbage
 * (a socket, a client, a result per probe). V8's defaults are made for the opposite:
 *
 * - `--max-semi-space-size=4`: the young generation is capped at 2 × 4 MiB instead of
 *   2 × 16 MiB. Scavenges come four times as often and each takes a quarter of the time
 *   (a few ms instead of 5-15 ms), which is what a probe waiting for its response sees.
 * - `--heap-growing-percent=20`: after a full collection the old generation may grow 20%
 *   over what is live before the next, instead of up to 4×; the probes' garbage that
 *   outlives a scavenge is reclaimed before it becomes resident memory.
 *
 * Measured in BENCHMARKS.md ("Memory").
 */
export const AGENT_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--heap-growing-percent=20'];

/** Whether this process was started with {@link AGENT_NODE_FLAGS}. */
export function startedWithAgentFlags(execArgv: readonly string[] = process.execArgv): boolean {
  return AGENT_NODE_FLAGS.every((flag) => execArgv.includes(flag));
}
