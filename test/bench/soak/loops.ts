/**
 * The three things the soak does side by side while the agent runs: read it (scrape and
 * /proc) on a fixed grid, rewrite its probe file, and run chaos against the lab. Each loop
 * stops at the end of the run or as soon as something fatal happened.
 */
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from '../../../src/errors.js';
import { probeFile } from './config.js';
import { runChaos, type ChaosOutcome } from './lab.js';
import { procReading, scrape, type ScrapeFacts } from './sample.js';
import type { SoakSample } from './stats.js';

/** Everything the loops record. */
export interface SoakState {
  samples: SoakSample[];
  firstFacts?: ScrapeFacts;
  lastFacts?: ScrapeFacts;
  /** Probe-file rewrites made, and reloads the agent reported (its reload timestamp moving). */
  rewrites: number;
  reloadsObserved: number;
  /** Scrapes that showed `canary_config_last_reload_successful` at 0. */
  reloadFailuresSeen: number;
  chaos: ChaosOutcome[];
  /** Fatal problems: each one fails the soak. */
  problems: string[];
}

/** What the loops need to know. */
export interface LoopContext {
  startedAt: number;
  endAt: number;
  /** Aborted when the soak must stop early. */
  signal: AbortSignal;
  /** Records a fatal problem and stops the soak. */
  fail(problem: string): void;
  state: SoakState;
  log(line: string): void;
}

/** Waits until `at` (epoch ms) or the abort, whichever comes first. */
async function waitUntil(at: number, signal: AbortSignal): Promise<void> {
  const ms = at - Date.now();
  if (ms > 0) await sleep(ms, undefined, { signal }).catch(() => undefined);
}

function secondsSince(startedAt: number): number {
  return (Date.now() - startedAt) / 1000;
}

/** One reading: a scrape, then /proc. */
async function readOnce(ctx: LoopContext, base: string, pid: number): Promise<void> {
  const facts = await scrape(base);
  const proc = procReading(pid);
  const { state } = ctx;
  state.samples.push({ t: secondsSince(ctx.startedAt), heapUsedBytes: facts.heapUsedBytes, ...proc });
  state.firstFacts ??= facts;
  if (state.lastFacts && facts.reloadTimestamp > state.lastFacts.reloadTimestamp) state.reloadsObserved++;
  if (facts.reloadOk !== 1) state.reloadFailuresSeen++;
  state.lastFacts = facts;
}

/** Reads the agent every `everyMs` from the start to the end, both included. */
export async function sampleLoop(ctx: LoopContext, base: string, pid: number, everyMs: number): Promise<void> {
  const progressEvery = Math.max(everyMs, Math.round((ctx.endAt - ctx.startedAt) / 12));
  let nextProgress = ctx.startedAt + progressEvery;
  for (let at = ctx.startedAt; at <= ctx.endAt && !ctx.signal.aborted; at += everyMs) {
    await waitUntil(at, ctx.signal);
    if (ctx.signal.aborted) break;
    try {
      await readOnce(ctx, base, pid);
    } catch (error) {
      ctx.fail(`reading the agent at ${secondsSince(ctx.startedAt).toFixed(0)} s failed: ${errorMessage(error)}`);
      break;
    }
    if (Date.now() >= nextProgress) {
      nextProgress += progressEvery;
      ctx.log(progressLine(ctx));
    }
  }
}

function progressLine(ctx: LoopContext): string {
  const s = ctx.state.samples.at(-1);
  const mib = (b: number) => (b / 2 ** 20).toFixed(1);
  const minutes = (secondsSince(ctx.startedAt) / 60).toFixed(1);
  const ok = ctx.state.chaos.filter((c) => c.code === 0).length;
  return (
    `soak ${minutes} min: RSS ${mib(s?.rssBytes ?? 0)} MiB, heap ${mib(s?.heapUsedBytes ?? 0)} MiB, ` +
    `${s?.fds ?? 0} fds, ${s?.sockets ?? 0} sockets; reloads ${ctx.state.reloadsObserved}/${ctx.state.rewrites}, ` +
    `chaos runs ${ctx.state.chaos.length} (${ok} completed)`
  );
}

/** Rewrites the probe file every `everyMs`, the last time at least `everyMs / 2` before the end so it is seen. */
export async function reloadLoop(ctx: LoopContext, file: string, healthy: string, everyMs: number): Promise<void> {
  for (let at = ctx.startedAt + everyMs; at <= ctx.endAt - everyMs / 2; at += everyMs) {
    await waitUntil(at, ctx.signal);
    if (ctx.signal.aborted) return;
    ctx.state.rewrites++;
    writeFileSync(file, probeFile(ctx.state.rewrites, healthy));
  }
}

/** Runs the experiment every `everyMs`, one at a time, the first half an interval in. */
export async function chaosLoop(ctx: LoopContext, experiment: string, config: string, everyMs: number): Promise<void> {
  for (let at = ctx.startedAt + everyMs / 2; at < ctx.endAt; at += everyMs) {
    await waitUntil(at, ctx.signal);
    if (ctx.signal.aborted || Date.now() >= ctx.endAt) return;
    const outcome = await runChaos(experiment, config, Math.max(60_000, ctx.endAt - Date.now() + 60_000), ctx.signal);
    if (ctx.signal.aborted) return;
    ctx.state.chaos.push(outcome);
    ctx.log(
      `chaos run ${ctx.state.chaos.length}: ${outcome.status} (exit ${outcome.code}, ${outcome.seconds.toFixed(0)} s)`,
    );
    // Exit 2 is a refusal (bad config, chaos disabled): the soak itself is broken.
    if (outcome.code === 2) ctx.fail(`canary chaos run refused to run (exit 2): ${outcome.status}`);
  }
}
