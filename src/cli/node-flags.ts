/**
 * The V8 settings the agent is started with: every way of starting it (the `canary` bin's
 * shebang, `npm start`, the systemd unit, the container image, the benchmark) passes these
 * and {@link AGENT_ENV}, and a test checks that they all do. They only take effect on the command line: V8 sizes
 * its heap when the process starts.
 *
 * A probing agent keeps little live data and makes a steady stream of short-lived garbage
 * (a socket, a client, a result per probe). V8's defaults are made for the opposite:
 *
 * - `--max-semi-space-size=4`: the young generation is capped at 2 × 4 MiB instead of
 *   2 × 16 MiB. Scavenges come four times as often and each takes a fraction of the time
 *   (about 2 ms instead of 5-15 ms), which is what a probe waiting for its response sees.
 * - `--heap-growing-percent=50`: after a full collection the old generation may grow 50%
 *   over what is live before the next, instead of up to 4×; the probes' garbage that
 *   outlives a scavenge is reclaimed before it becomes resident memory.
 * - `--liftoff-only`: undici parses HTTP with llhttp compiled to WebAssembly. Left to
 *   itself V8 recompiles it with TurboFan a moment after the first requests, which takes
 *   some 30 MiB for a fraction of a second, the agent's peak RSS at 1,000 checks. The
 *   baseline (Liftoff) code it keeps instead showed no CPU cost per probe we could measure.
 *
 * Measured in BENCHMARKS.md ("Node flags").
 */
export const AGENT_NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=4',
  '--heap-growing-percent=50',
  '--liftoff-only',
];

/**
 * The environment the agent is started with, beside its flags. glibc's malloc gives each
 * thread that allocates an arena of its own (libuv's pool threads for gzip and DNS, V8's
 * helper threads), and every arena keeps memory it has freed: with two, the agent's RSS
 * peak at 1,000 checks was about 9 MiB lower at the same CPU (BENCHMARKS.md, "Node flags").
 * Ignored by other C libraries.
 */
export const AGENT_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/** {@link AGENT_ENV} as `NAME=VALUE` words, as a shell or `env` takes them. */
export const AGENT_ENV_WORDS: readonly string[] = Object.entries(AGENT_ENV).map(([name, value]) => `${name}=${value}`);

/** Whether this process was started with {@link AGENT_NODE_FLAGS}. */
export function startedWithAgentFlags(execArgv: readonly string[] = process.execArgv): boolean {
  return AGENT_NODE_FLAGS.every((flag) => execArgv.includes(flag));
}
