/**
 * The agent under test: `canary run` on a generated config of N HTTP checks against the
 * target, counted from its own `/metrics` (`canary_probe_runs_total`).
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { stringify } from 'yaml';
import { agentEnv, agentNodeFlags, agentRenderThread, agentWorkers } from './agent-env.js';
import { sleep, start, stop, waitFor } from './children.js';
import { freePort } from './ipc.js';
import { measureWindow, type Snapshot } from './measure.js';
import { attachProfile, probePath, profilingFlags, type PhaseOptions, type PhaseResult } from './phase.js';
import { cpuSeconds } from './proc.js';
import { histogram, histogramDelta, quantileBucket, samples, sum } from './prom-text.js';
import { type BlockProbeResult, quietBlockProbe } from './loop-block.js';
import {
  attachRenderReports,
  prometheusScrape,
  quietBlockFigures,
  quietProbeMs,
  scrapeFigures,
  type ScrapeCost,
} from './scrape-cost.js';

export { PROMETHEUS_SCRAPE_HEADERS } from './scrape-cost.js';
export { agentEnv, agentNodeFlags, agentWorkers } from './agent-env.js';

/** The repository root, from dist/test/bench/. */
export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
/**
 * The CLI entry run as `node CLI run --config FILE`: this build's, or `BENCH_AGENT` (e.g. a
 * baseline build in another checkout, to compare before and after a change).
 */
export const cliPath = resolve(process.env.BENCH_AGENT ?? resolve(repoRoot, 'dist', 'src', 'cli', 'main.js'));

/** Fixed so the start offsets, and so the load pattern, are the same in every run. */
const SEED = 1234;

/** Options of the agent phase beyond the shared ones. */
export interface AgentPhaseOptions extends PhaseOptions {
  /** Check interval, seconds; `checks / intervalSeconds` is the probe rate. */
  intervalSeconds: number;
  /** Name in the results (`agent`, `agent-10k`). */
  name: string;
  /** Scrape `/metrics` this often inside the window, as Prometheus would (0: never). */
  scrapeIntervalMs: number;
  /** Turn tracing on, exporting every run (success ratio 1: the dearest case) to this OTLP/HTTP base URL. */
  otlpEndpoint?: string;
  /** Per-check series of the exposition, written into the config (`exporters.prometheus.metrics`); unset: the agent's default. */
  metricsLevel?: MetricsLevel;
  /** Time `/healthz` alongside every in-window scrape (the loop-block probe). */
  blockProbe?: boolean;
}

/** `exporters.prometheus.metrics` of the agent config. */
export type MetricsLevel = 'full' | 'basic';

/** Optional parts of the generated agent config. */
export interface AgentConfigExtras {
  /** Tracing on, every run exported to this OTLP/HTTP base URL. */
  otlpEndpoint?: string;
  /** Written as `exporters.prometheus.metrics`. */
  metricsLevel?: MetricsLevel;
}

/** The agent config: N checks, one path each, default concurrency, logs at warn. */
export function agentConfig(
  origin: string,
  checks: number,
  intervalSeconds: number,
  listen: string,
  extras: AgentConfigExtras = {},
): unknown {
  const { otlpEndpoint, metricsLevel } = extras;
  const prometheus = { ...(metricsLevel ? { metrics: metricsLevel } : {}), ...agentRenderThread() };
  const width = String(checks - 1).length;
  return {
    agent: { region: 'bench' },
    server: { listen },
    probes: {
      seed: SEED,
      ...agentWorkers(),
      defaults: { interval: `${Math.round(intervalSeconds * 1000)}ms`, timeout: '5s' },
    },
    checks: Array.from({ length: checks }, (_, i) => ({
      name: `bench-${String(i).padStart(width, '0')}`,
      kind: 'http',
      target: origin + probePath(i, checks),
    })),
    exporters: {
      log: { level: 'warn' },
      ...(Object.keys(prometheus).length > 0 ? { prometheus } : {}),
      ...(otlpEndpoint ? { otlp: { endpoint: otlpEndpoint, successSampleRatio: 1 } } : {}),
    },
  };
}

async function get(url: string): Promise<{ status: number; text: string }> {
  const { statusCode, body } = await request(url, { headersTimeout: 30_000, bodyTimeout: 30_000 });
  return { status: statusCode, text: await body.text() };
}

async function scrape(base: string, pid: number, costs: ScrapeCost[]): Promise<Snapshot> {
  const cpu = cpuSeconds(pid);
  const started = performance.now();
  const { status, text } = await get(`${base}/metrics`);
  costs.push({ ms: performance.now() - started, cpuSeconds: cpuSeconds(pid) - cpu });
  if (status !== 200) throw new Error(`/metrics answered ${status}`);
  const success = sum(text, 'canary_probe_runs_total', { result: 'success' });
  const failure = sum(text, 'canary_probe_runs_total', { result: 'failure' });
  return { success, failure, text };
}

/** Failures in the window by reason, e.g. `{ connect: 3 }`. */
function failureReasons(before: string, after: string): Record<string, number> {
  const count = (text: string) => {
    const byReason: Record<string, number> = {};
    for (const s of samples(text, 'canary_probe_runs_total', { result: 'failure' })) {
      const reason = s.labels.reason ?? '';
      byReason[reason] = (byReason[reason] ?? 0) + s.value;
    }
    return byReason;
  };
  const a = count(before);
  const out: Record<string, number> = {};
  for (const [reason, n] of Object.entries(count(after)))
    if (n - (a[reason] ?? 0) > 0) out[reason] = n - (a[reason] ?? 0);
  return out;
}

/** Facts read from the two scrapes around the window. */
function scrapeNotes(
  options: AgentPhaseOptions,
  first: string,
  last: string,
  costs: readonly ScrapeCost[],
): PhaseResult['notes'] {
  const lag = histogramDelta(
    histogram(first, 'canary_scheduler_lag_seconds'),
    histogram(last, 'canary_scheduler_lag_seconds'),
  );
  const lagP99 = quantileBucket(lag, 0.99);
  return {
    checks: options.checks,
    intervalSeconds: options.intervalSeconds,
    metricsBytes: last.length,
    // The dearest scrape: wall time, and the agent's CPU meanwhile (its probing included).
    scrapeMs: Math.round(Math.max(...costs.map((c) => c.ms))),
    scrapeCpuSeconds: Math.max(...costs.map((c) => c.cpuSeconds)),
    lagMeanSeconds: lag.count > 0 ? lag.sum / lag.count : null,
    // A histogram places p99 in a bucket only: above the bucket's lower bound, at most its upper.
    lagP99AtMostSeconds: lagP99?.upper ?? null,
    lagP99AboveSeconds: lagP99?.lower ?? null,
    skippedRuns: sum(last, 'canary_scheduler_skipped_runs_total') - sum(first, 'canary_scheduler_skipped_runs_total'),
    failureReasons: JSON.stringify(failureReasons(first, last)),
    // The agent's own view of its memory (prom-client default metrics) at the end scrape.
    heapUsedBytes: sum(last, 'canary_nodejs_heap_size_used_bytes'),
    heapTotalBytes: sum(last, 'canary_nodejs_heap_size_total_bytes'),
    // With tracing on: spans delivered and lost in the window.
    spansExported: sum(last, 'canary_otel_spans_exported_total') - sum(first, 'canary_otel_spans_exported_total'),
    spansDropped: sum(last, 'canary_otel_spans_dropped_total') - sum(first, 'canary_otel_spans_dropped_total'),
  };
}

/** Warm-up scrapes, as Prometheus makes them: three, in the first two thirds of the warm-up. */
async function warmupScrapes(base: string, pid: number, costs: ScrapeCost[], warmupMs: number): Promise<void> {
  for (let i = 1; i <= 3; i++) {
    await sleep(warmupMs / 5);
    await prometheusScrape(base, pid, costs);
  }
}

/** Runs the agent, measures one window, stops it (SIGTERM, so a CPU profile is written). */
export async function benchAgent(options: AgentPhaseOptions): Promise<PhaseResult> {
  const port = await freePort();
  const file = join(options.workDir, `${options.name}.yaml`);
  const extras = {
    ...(options.otlpEndpoint ? { otlpEndpoint: options.otlpEndpoint } : {}),
    ...(options.metricsLevel ? { metricsLevel: options.metricsLevel } : {}),
  };
  writeFileSync(
    file,
    stringify(agentConfig(options.target.origin, options.checks, options.intervalSeconds, `127.0.0.1:${port}`, extras)),
  );
  const profiling = profilingFlags(options, options.name);
  const agent = await start(
    process.execPath,
    [...agentNodeFlags(), ...profiling.flags, cliPath, 'run', '--config', file],
    { cwd: repoRoot, env: agentEnv() },
  );
  const base = `http://127.0.0.1:${port}`;
  let result: PhaseResult;
  try {
    await waitFor(
      `agent ready on ${base}`,
      async () => {
        if (agent.child.exitCode !== null)
          throw new Error(`agent exited with code ${agent.child.exitCode} before it was ready: ${agent.output()}`);
        return (await get(`${base}/readyz`).catch(() => ({ status: 0 }))).status === 200;
      },
      30_000,
    );
    const costs: ScrapeCost[] = [];
    const inWindow: ScrapeCost[] = [];
    // Prometheus scrapes from the start: the first renders run on code V8 has not optimised
    // yet, so some are made in the warm-up; the first one's cost is kept apart.
    const warmup: ScrapeCost[] = [];
    const warming =
      options.scrapeIntervalMs > 0 ? warmupScrapes(base, agent.pid, warmup, options.warmupMs) : Promise.resolve();
    // With the block probe, the first in-window scrape is preceded by the same probe over a
    // stretch with no scrape, so the blocks a scrape shows can be told from the loop's own.
    let quiet: BlockProbeResult | undefined;
    const inWindowAction = async (): Promise<void> => {
      if (options.blockProbe === true && quiet === undefined)
        quiet = await quietBlockProbe(base, quietProbeMs(options.scrapeIntervalMs));
      await prometheusScrape(base, agent.pid, inWindow, options.blockProbe === true);
    };
    const window = await measureWindow({
      ...options,
      pid: agent.pid,
      snapshot: () => scrape(base, agent.pid, costs),
      during: { everyMs: options.scrapeIntervalMs, action: inWindowAction },
    });
    await warming;
    const notes = scrapeNotes(options, window.first.text ?? '', window.last.text ?? '', [...costs, ...inWindow]);
    notes.firstScrapeMs = warmup[0] === undefined ? null : Math.round(warmup[0].ms);
    notes.scrapesInWindow = inWindow.length;
    notes.scrapeCpuInWindowSeconds = inWindow.reduce((total, c) => total + c.cpuSeconds, 0);
    attachRenderReports(inWindow, window.last.text ?? '');
    Object.assign(notes, scrapeFigures(inWindow));
    if (quiet) Object.assign(notes, quietBlockFigures(quiet, quietProbeMs(options.scrapeIntervalMs)));
    notes.metricsLevel = options.metricsLevel ?? 'default (full)';
    window.first.text = window.last.text = undefined;
    const tracing = options.otlpEndpoint ? ', tracing every run over OTLP' : '';
    const level = options.metricsLevel ? `, ${options.metricsLevel} metrics` : '';
    result = {
      name: options.name,
      label: `canary agent (${options.checks} checks every ${options.intervalSeconds}s${level}${tracing})`,
      window,
      notes,
      scrapes: inWindow,
    };
  } finally {
    await stop(agent, 15_000);
  }
  return attachProfile(result, profiling.dir);
}
