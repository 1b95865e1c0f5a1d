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
 * `{ type: 'stopped', records, dropped }` after `stop`. IPC in: `stop`.
 */
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

/** Messages this process sends. */
export type AgentProbeMessage =
  | { type: 'ready' }
  | { type: 'batch'; records: AgentRecord[] }
  | { type: 'stopped'; records: AgentRecord[]; dropped: number };

/** Records held between two batches at most (20 a second are expected). */
const MAX_PENDING = 10_000;
const BATCH_EVERY_MS = 1_000;

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

async function main(): Promise<void> {
  const config = await loadConfig(configFile);
  const agent = new Agent(config, { logger: createLogger({ level: 'warn' }) });
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
