/**
 * A heap snapshot of the agent as the benchmark runs it: `canary run` on the generated
 * config of N HTTP checks against the bench target, warmed up until every check has run
 * and `/metrics` has been scraped as Prometheus scrapes it (so the exposition's caches and
 * the label children every series makes exist, as in production), then snapshotted.
 */
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Client, request } from 'undici';
import { stringify } from 'yaml';
import { agentConfig, agentEnv, agentNodeFlags, cliPath, PROMETHEUS_SCRAPE_HEADERS, repoRoot } from '../agent-run.js';
import { sleep, start, stop, waitFor, type Started } from '../children.js';
import { freePort, type Target } from '../ipc.js';
import { memory } from '../proc.js';
import { samples, sum } from '../prom-text.js';
import { heapSnapshotFlags, takeHeapSnapshot } from './signal-snapshot.js';

/** What to run and for how long before the snapshot. */
export interface AgentSnapshotOptions {
  target: Target;
  checks: number;
  /** Check interval, seconds (the bench keeps `checks / interval` at 1,000 probes/s). */
  intervalSeconds: number;
  /** Minimum warm-up; it also lasts until every check has run once. */
  warmupMs: number;
  /** Scratch directory: the config and the snapshot file go here. */
  workDir: string;
}

/** The snapshot file and what was measured around it. */
export interface AgentSnapshot {
  checks: number;
  intervalSeconds: number;
  file: string;
  fileBytes: number;
  /** VmRSS just before the snapshot. */
  rssBytes: number;
  /** VmHWM just before the snapshot: the peak since start, warm-up scrapes included. */
  peakRssBytes: number;
  /** `heapUsed` as the agent reported it in the first scrape after the snapshot's full GC. */
  heapUsedBytes: number;
  heapTotalBytes: number;
  /** Checks with at least one run counted at the last warm-up scrape. */
  checksRun: number;
  /** Successful and failed runs counted by then. */
  runs: { success: number; failure: number };
  warmupSeconds: number;
  /** Wall time from the signal to the complete file. */
  snapshotSeconds: number;
}

/** Bounds on every wait: a 10,000-check scrape takes seconds, its snapshot tens of seconds. */
const HTTP_TIMEOUT_MS = 120_000;
const SNAPSHOT_TIMEOUT_MS = 600_000;
/** Extra intervals the warm-up may take for the last checks' first runs. */
const MAX_EXTRA_INTERVALS = 3;

/**
 * GET `/metrics`, read to the end and un-gzipped; `headers` as Prometheus sends them, or
 * none (plain text). Each scrape has a connection of its own: a kept-alive one could be
 * closed under the request by the agent's keep-alive timer, which fires late, all at once,
 * when a snapshot has blocked the agent for longer than the timeout.
 */
async function scrape(base: string, headers: Record<string, string> = {}): Promise<string> {
  const client = new Client(base);
  try {
    const {
      statusCode,
      headers: answer,
      body,
    } = await client.request({
      method: 'GET',
      path: '/metrics',
      headers,
      headersTimeout: HTTP_TIMEOUT_MS,
      bodyTimeout: HTTP_TIMEOUT_MS,
    });
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
    if (statusCode !== 200) throw new Error(`/metrics answered ${statusCode}`);
    const raw = Buffer.concat(chunks);
    return (answer['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
  } finally {
    await client.close();
  }
}

function checksWithRuns(text: string): number {
  const ran = new Set<string>();
  for (const s of samples(text, 'canary_probe_runs_total'))
    if (s.value > 0 && s.labels.check !== undefined) ran.add(s.labels.check);
  return ran.size;
}

/** Warm-up: two Prometheus scrapes half the warm-up apart, then more intervals until every check has run. */
async function warmUp(
  base: string,
  options: AgentSnapshotOptions,
): Promise<Pick<AgentSnapshot, 'checksRun' | 'runs' | 'warmupSeconds'>> {
  const started = performance.now();
  await sleep(options.warmupMs / 2);
  await scrape(base, PROMETHEUS_SCRAPE_HEADERS);
  await sleep(options.warmupMs / 2);
  for (let extra = 0; ; extra++) {
    const text = await scrape(base, PROMETHEUS_SCRAPE_HEADERS);
    const checksRun = checksWithRuns(text);
    if (checksRun >= options.checks) {
      const runs = {
        success: sum(text, 'canary_probe_runs_total', { result: 'success' }),
        failure: sum(text, 'canary_probe_runs_total', { result: 'failure' }),
      };
      return { checksRun, runs, warmupSeconds: (performance.now() - started) / 1000 };
    }
    if (extra >= MAX_EXTRA_INTERVALS)
      throw new Error(`after the warm-up only ${checksRun} of ${options.checks} checks have run`);
    await sleep(options.intervalSeconds * 1000);
  }
}

async function waitReady(agent: Started, base: string): Promise<void> {
  await waitFor(
    `agent ready on ${base}`,
    async () => {
      if (agent.child.exitCode !== null)
        throw new Error(`agent exited with code ${agent.child.exitCode} before it was ready: ${agent.output()}`);
      const { statusCode, body } = await request(`${base}/readyz`).catch(() => ({ statusCode: 0, body: undefined }));
      await body?.dump();
      return statusCode === 200;
    },
    30_000,
  );
}

/** Runs the agent on `options.checks` checks, warms it up, snapshots its heap and stops it. */
export async function snapshotAgent(options: AgentSnapshotOptions): Promise<AgentSnapshot> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const config = join(options.workDir, `heap-${options.checks}.yaml`);
  writeFileSync(
    config,
    stringify(agentConfig(options.target.origin, options.checks, options.intervalSeconds, `127.0.0.1:${port}`)),
  );
  const dir = mkdtempSync(join(options.workDir, `snapshot-${options.checks}-`));
  const agent = await start(
    process.execPath,
    [...agentNodeFlags(), ...heapSnapshotFlags(dir), cliPath, 'run', '--config', config],
    { cwd: repoRoot, env: agentEnv() },
  );
  let step = 'start';
  try {
    await waitReady(agent, base);
    step = 'warm-up';
    const warm = await warmUp(base, options);
    const before = memory(agent.pid);
    const signalled = performance.now();
    let after = '';
    step = 'snapshot';
    // The first scrape after the signal is answered once the snapshot is written, and
    // reads heapUsed just after the full GC the snapshot made.
    const file = await takeHeapSnapshot(agent, {
      dir,
      timeoutMs: SNAPSHOT_TIMEOUT_MS,
      roundTrip: async () => (after = await scrape(base)),
    });
    return {
      checks: options.checks,
      intervalSeconds: options.intervalSeconds,
      file,
      fileBytes: statSync(file).size,
      rssBytes: before.rss,
      peakRssBytes: before.peak,
      heapUsedBytes: sum(after, 'canary_nodejs_heap_size_used_bytes'),
      heapTotalBytes: sum(after, 'canary_nodejs_heap_size_total_bytes'),
      ...warm,
      snapshotSeconds: (performance.now() - signalled) / 1000,
    };
  } catch (error) {
    // Say which step failed and what the agent last printed (a crash shows up here as ECONNRESET).
    await Promise.race([agent.exited, sleep(1_000)]); // a crash's exit status comes a moment after the reset
    const exit = agent.child.exitCode ?? agent.child.signalCode ?? 'still running';
    throw new Error(
      `${options.checks}-check agent, ${step}: ${String(error)}; agent exit: ${exit}; its output: ${agent.output()}`,
      { cause: error },
    );
  } finally {
    await stop(agent, 15_000);
  }
}
