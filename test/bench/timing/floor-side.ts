/**
 * The benchmark's side of the floor prober (`floor.py`, run with `python3`): a blocking
 * socket client with no event loop, probing the holding target at the measured checks'
 * rate in the same window as the agent, so the machine's own floor under `added` is
 * measured beside the probers rather than assumed. Its output is one JSON line per
 * request, read here.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { repoRoot } from '../agent-run.js';
import { start, stop, type Started } from '../children.js';
import { spreadOffsets } from '../pacer.js';
import { PACER_SEED } from '../phase.js';
import type { AgentRecord } from './agent-probe.js';
import { agentSamples } from './agent-side.js';
import type { Matched } from './stats.js';

/** The script, in the source tree (the build copies only TypeScript). */
export const FLOOR_SCRIPT = resolve(repoRoot, 'test', 'bench', 'timing', 'floor.py');
/** Its own seed, so its requests do not land on the blackbox driver's instants. */
export const FLOOR_SEED = PACER_SEED + 1;
/** Lines kept at most: a window at 20 a second writes a few hundred. */
const MAX_RECORDS = 200_000;

/** One line of the script about one request. */
export interface FloorRecord {
  slot: number;
  /** Epoch ms. */
  startedAt: number;
  /** Request written to response head complete, ms; null when the request failed or was skipped. */
  processingMs: number | null;
  /** Request written to first response byte, ms. */
  firstByteMs: number | null;
  holdMs: number | null;
  error?: string;
  skipped?: boolean;
}

/** The script's last line. */
export interface FloorDone {
  requests: number;
  errors: number;
  skipped: number;
}

/** `BENCH_PYTHON` if set, else the first `python3` on PATH; undefined when absent. */
export function findPython(): string | undefined {
  const explicit = process.env.BENCH_PYTHON;
  const candidates = explicit
    ? [explicit]
    : (process.env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, 'python3'));
  return candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const numberOrNull = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

/** Parses one output line; undefined for anything that is not one of the script's objects. */
export function parseFloorLine(line: string): { record: FloorRecord } | { done: FloorDone } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const o = value as Record<string, unknown>;
  if (o.done === true)
    return {
      done: { requests: Number(o.requests ?? 0), errors: Number(o.errors ?? 0), skipped: Number(o.skipped ?? 0) },
    };
  if (typeof o.slot !== 'number' || typeof o.startedAt !== 'number') return undefined;
  const record: FloorRecord = {
    slot: o.slot,
    startedAt: o.startedAt,
    processingMs: numberOrNull(o.processingMs),
    firstByteMs: numberOrNull(o.firstByteMs),
    holdMs: numberOrNull(o.holdMs),
  };
  if (typeof o.error === 'string') record.error = o.error;
  if (o.skipped === true) record.skipped = true;
  return { record };
}

/** Samples as the agent's are paired: a failed request has no `processing`, one without a hold is unmatched; skipped ones are left out. */
export function floorSamples(records: readonly FloorRecord[]): Matched {
  const asAgent: AgentRecord[] = records
    .filter((r) => !r.skipped)
    .map((r) => ({
      check: `floor-${r.slot}`,
      startedAt: r.startedAt,
      processingMs: r.error ? null : r.processingMs,
      holdMs: r.holdMs,
    }));
  return agentSamples(asAgent);
}

/** A running floor prober. */
export interface FloorSide {
  started: Started;
  /** Every record so far (bounded). */
  records(): readonly FloorRecord[];
  /** Closes its stdin (in-flight requests finish), waits for it to exit, returns everything it wrote. */
  finish(): Promise<{ records: FloorRecord[]; done: FloorDone | undefined }>;
}

/** Starts `python FLOOR_SCRIPT` against the holding target: `timed` slots, each once a second. */
export async function startFloorSide(
  python: string,
  holdOrigin: string,
  timed: number,
  maxSeconds: number,
): Promise<FloorSide> {
  const offsets = new Array<number>(timed).fill(0);
  for (const { index, offset } of spreadOffsets(timed, 1_000, FLOOR_SEED)) offsets[index] = offset;
  const args = [FLOOR_SCRIPT, holdOrigin, offsets.join(','), String(Math.ceil(maxSeconds)), '1000'];
  const started = await start(python, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const records: FloorRecord[] = [];
  let done: FloorDone | undefined;
  let partial = '';
  // 'close' comes after the last of stdout has been read; 'exit' may come before it.
  const closed = new Promise<void>((resolve) => started.child.once('close', () => resolve()));
  started.child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const parsed = parseFloorLine(line);
      if (parsed && 'done' in parsed) done = parsed.done;
      else if (parsed && records.length < MAX_RECORDS) records.push(parsed.record);
    }
  });
  return {
    started,
    records: () => records,
    async finish() {
      started.child.stdin?.end();
      // A request in flight ends within the script's 5 s socket timeout. The timer is
      // cleared, so a finished floor does not keep the benchmark alive.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, 8_000)))]);
      clearTimeout(timer);
      await stop(started, 2_000);
      if (!done)
        throw new Error(
          `floor prober ended without its summary line (exit ${started.child.exitCode}); output: ${started.output()}`,
        );
      return { records: [...records], done };
    },
  };
}
