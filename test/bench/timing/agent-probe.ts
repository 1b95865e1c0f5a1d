/**
 * The agent side of the timing benchmark: the real agent (`new Agent` on a config read by
 * `loadConfig`, exactly what `canary run` builds, without the reload watcher) in a process
 * of its own, with one listener on the result bus that hands each measured check's
 * `processing` phase and the `Server-Timing` hold of the same response to the benchmark.
 *
 * The listener is made cheap on purpose, since it runs on the thread it measures: only
 * checks named `timed-*` are looked at (20 a second), and records go out over IPC in one
 * batch a second.
 *
 * Usage (by the benchmark, with an IPC channel):
 *   node dist/test/bench/timing/agent-probe.js CONFIG_FILE MAX_SECONDS
 * IPC out: `{ type: 'ready' }` once probing, `{ type: 'batch', records }` every second,
 * `{ type: 'stopped', records, dropped }` after `stop`. IPC in: `stop`; `mark` (answered
 * `{ type: 'marked' }`) and `read` (answered `{ type: 'window', ... }`) around the window,
 * for the event loop's delay and the agent's own counts in between: the delay is what a
 * response waits for before the agent even sees it.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Agent } from '../../../src/agent.js';
import { loadConfig } from '../../../src/config/load.js';
import { createLogger } from '../../../src/log.js';
import type { CheckResult } from '../../../src/results/types.js';
import { TIMED_PREFIX } from './paths.js';
import { serverTimingMs } from './stats.js';

/** One run of a measured check. */
export interface AgentRecord {
  check: string;
  /** When the attempt started, epoch ms. */
  startedAt: number;
  /** `observation.phases.processing` in ms; null when the run got no response. */
  processingMs: number | null;
  /** The `Server-Timing` hold of the response in ms; null when absent. */
  holdMs: number | null;
}

/** What the agent did between `mark` and `read`. */
export interface AgentWindowStats {
  /** Runs of every check that ended. */
  results: number;
  /** Runs skipped because the check's previous run was still going. */
  skipped: number;
  /** Event-loop delay beyond the sampling interval, ms. */
  loopDelay: { p50: number; p99: number; max: number };
}

/** Messages this process sends. */
export type AgentProbeMessage =
  | { type: 'ready' }
  | { type: 'marked' }
  | ({ type: 'window' } & AgentWindowStats)
  | { type: 'batch'; records: AgentRecord[] }
  | { type: 'stopped'; records: AgentRecord[]; dropped: number };

/** Records held between two batches at most (20 a second are expected). */
const MAX_PENDING = 10_000;
const BATCH_EVERY_MS = 1_000;
/**
 * Sampling interval of the event-loop delay, ms: coarse, so the sampler's own wake-ups
 * (50 a second) stay few next to the agent's; a delay shorter than a sample still shows
 * in the quantiles whenever a sample lands in it.
 */
const LOOP_SAMPLE_MS = 20;

const [configFile = '', maxSecondsArg = '600'] = process.argv.slice(2);
const maxSeconds = Number(maxSecondsArg);

function record(result: CheckResult): AgentRecord {
  const processing = result.observation.phases.processing;
  return {
    check: result.check,
    startedAt: result.startedAt,
    processingMs: processing === undefined ? null : processing * 1000,
    holdMs: serverTimingMs(result.observation.http?.headers['server-timing']) ?? null,
  };
}

function send(message: AgentProbeMessage, then?: () => void): void {
  process.send?.(message, undefined, undefined, () => then?.());
}

/** Counts and the event-loop delay between `mark` and `read`. */
function windowStats(agent: Agent): { mark(): void; read(): AgentWindowStats } {
  const delay = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
  delay.enable();
  let results = 0;
  let skipped = 0;
  agent.bus.on('result', () => results++);
  agent.bus.on('scheduler.skipped', () => skipped++);
  // The histogram records whole intervals: the delay is what exceeds the interval.
  const ms = (ns: number) => Math.max(0, ns / 1e6 - LOOP_SAMPLE_MS);
  return {
    mark() {
      delay.reset();
      results = skipped = 0;
    },
    read: () => ({
      results,
      skipped,
      loopDelay: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
    }),
  };
}

async function main(): Promise<void> {
  const config = await loadConfig(configFile);
  const agent = new Agent(config, { logger: createLogger({ level: 'warn' }) });
  const stats = windowStats(agent);
  let pending: AgentRecord[] = [];
  let dropped = 0;
  agent.bus.on('result', (result) => {
    if (!result.check.startsWith(TIMED_PREFIX)) return;
    if (pending.length < MAX_PENDING) pending.push(record(result));
    else dropped++;
  });
  const batches = setInterval(() => {
    if (pending.length === 0) return;
    send({ type: 'batch', records: pending });
    pending = [];
  }, BATCH_EVERY_MS);
  let stopping = false;
  process.on('message', (message) => {
    if (message === 'mark') {
      stats.mark();
      send({ type: 'marked' });
    }
    if (message === 'read') send({ type: 'window', ...stats.read() });
    if (message !== 'stop' || stopping) return;
    stopping = true;
    clearInterval(batches);
    // In-flight runs finish (and are recorded) before the last batch goes.
    void agent.stop().finally(() => send({ type: 'stopped', records: pending, dropped }, () => process.exit(0)));
  });
  process.on('disconnect', () => process.exit(0));
  setTimeout(() => process.exit(0), maxSeconds * 1000).unref();
  await agent.start();
  send({ type: 'ready' });
}

main().catch((error: unknown) => {
  console.error('agent-probe failed:', error);
  process.exit(1);
});
