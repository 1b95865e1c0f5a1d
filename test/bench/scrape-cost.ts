/**
 * The agent's `/metrics` scraped as Prometheus scrapes it, and what each scrape cost: wall
 * time, bytes on the wire (compressed), the agent's CPU meanwhile, and, when asked, how
 * long the render held the agent's event loop (the loop-block probe running alongside).
 */
import { constants, gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { startBlockProbe, type BlockProbeResult } from './loop-block.js';
import { mainThreadTime, statCounters } from './proc.js';
import { samples } from './prom-text.js';
import { spread } from './report.js';

/** The headers Prometheus 2.x scrapes with: OpenMetrics preferred, gzip accepted. */
export const PROMETHEUS_SCRAPE_HEADERS = {
  accept:
    'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
  'accept-encoding': 'gzip',
};

/** What one `/metrics` scrape cost the agent: wall time and the agent's CPU meanwhile (probing included). */
export interface ScrapeCost {
  ms: number;
  cpuSeconds: number;
  /** Body bytes received, as sent (gzip when the scrape asked for it); absent for the plain reads around the window. */
  bytes?: number;
  /** The loop-block probe's figures over this scrape, when it ran. */
  block?: BlockProbeResult;
  /**
   * The agent's main thread over the scrape: ms on a CPU, and ms it was ready to run but
   * waited for one (absent where the kernel keeps no schedstat).
   */
  mainThread?: { onCpuMs: number; waitingMs: number };
  /** Minor page faults of the agent over the scrape: pages of memory it touched for the first time. */
  minorFaults?: number;
  /**
   * The agent's own account of this scrape's render, from the `canary_exposition_last_render_*`
   * gauges of the exposition that came next: seconds to the last byte, and the longest it
   * held the event loop at once.
   */
  render?: RenderReport;
  /** The same gauges as this scrape's body showed them: the render before it. */
  previousRender?: RenderReport;
}

/** `canary_exposition_last_render_seconds` and `..._hold_seconds` of one exposition. */
export interface RenderReport {
  seconds: number;
  holdSeconds: number;
}

/** The agent's own metrics come first in an exposition: this much of the body holds them. */
const HEAD_BYTES = 64 * 1024;

/** The render gauges of an exposition's text (its head is enough); undefined when it has none. */
export function renderReport(text: string): RenderReport | undefined {
  const value = (name: string): number | undefined => samples(text, name)[0]?.value;
  const seconds = value('canary_exposition_last_render_seconds');
  const holdSeconds = value('canary_exposition_last_render_hold_seconds');
  return seconds === undefined || holdSeconds === undefined ? undefined : { seconds, holdSeconds };
}

/** The start of a body, gunzipped as far as it goes when it is gzip. */
function headText(head: Buffer, gzip: boolean): string {
  if (!gzip) return head.toString('utf8');
  try {
    return gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
  } catch {
    return '';
  }
}

/**
 * A scrape as Prometheus makes it, body counted and discarded; its cost is pushed to
 * `costs`. With `blockProbe`, `/healthz` is timed alongside for as long as the scrape runs.
 */
export async function prometheusScrape(
  base: string,
  pid: number,
  costs: ScrapeCost[],
  blockProbe = false,
): Promise<void> {
  const probe = blockProbe ? startBlockProbe(base) : undefined;
  const before = statCounters(pid);
  const thread = mainThreadTime(pid);
  const started = performance.now();
  let bytes = 0;
  let statusCode = 0;
  let gzip = false;
  const head: Buffer[] = [];
  try {
    const answer = await request(`${base}/metrics`, {
      headers: PROMETHEUS_SCRAPE_HEADERS,
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    statusCode = answer.statusCode;
    gzip = answer.headers['content-encoding'] === 'gzip';
    // Read to the end (dump() would stop at 128 KiB and cut the agent's write short).
    for await (const chunk of answer.body as AsyncIterable<Buffer>) {
      if (bytes < HEAD_BYTES) head.push(chunk);
      bytes += chunk.length;
    }
  } finally {
    const ms = performance.now() - started;
    const after = statCounters(pid);
    const threadAfter = mainThreadTime(pid);
    const block = await probe?.stop();
    const mainThread =
      thread && threadAfter
        ? { onCpuMs: threadAfter.onCpuMs - thread.onCpuMs, waitingMs: threadAfter.waitingMs - thread.waitingMs }
        : undefined;
    costs.push({
      ms,
      cpuSeconds: after.cpuSeconds - before.cpuSeconds,
      bytes,
      ...(block ? { block } : {}),
      ...(mainThread ? { mainThread } : {}),
      minorFaults: after.minorFaults - before.minorFaults,
    });
  }
  // Read after the scrape's figures are taken, so the decoding is not counted in them.
  const previousRender = renderReport(headText(Buffer.concat(head).subarray(0, HEAD_BYTES), gzip));
  const cost = costs.at(-1);
  if (cost && previousRender) cost.previousRender = previousRender;
  if (statusCode !== 200) throw new Error(`/metrics answered ${statusCode}`);
}

/** The no-scrape stretch the block probe times before the first in-window scrape: 3 s, or a third of the interval. */
export function quietProbeMs(scrapeIntervalMs: number): number {
  return Math.min(3_000, Math.max(0, scrapeIntervalMs / 3));
}

/** Figures of the block probe over a stretch with no scrape, flat for `PhaseResult.notes`. */
export function quietBlockFigures(quiet: BlockProbeResult, ms: number): Record<string, number | null> {
  return {
    quietLongestBlockMs: quiet.requests > 0 ? quiet.maxMs : null,
    quietBlockRequests: quiet.requests,
    quietSlowPerSecond: ms > 0 ? quiet.slow / (ms / 1000) : null,
  };
}

/** How many in-window scrapes a window holds: one at (k + 0.5) x interval for each k that fits. */
export function scrapesInWindow(windowS: number, intervalS: number): number {
  if (intervalS <= 0) return 0;
  let k = 0;
  while ((k + 0.5) * intervalS < windowS && k < 1_000) k++;
  return k;
}

/**
 * Gives each in-window scrape its own render report: the one the next scrape showed, and
 * for the last, the one of the read after the window (`after`, that read's text).
 */
export function attachRenderReports(scrapes: ScrapeCost[], after: string): void {
  scrapes.forEach((scrape, k) => {
    const next = k + 1 < scrapes.length ? scrapes[k + 1]?.previousRender : renderReport(after);
    if (next) scrape.render = next;
  });
}

/** The figures of a run's in-window scrapes, flat for `PhaseResult.notes`; null where nothing was measured. */
export function scrapeFigures(scrapes: readonly ScrapeCost[]): Record<string, number | null> {
  const walls = spread(scrapes.map((s) => s.ms));
  const bytes = spread(scrapes.map((s) => s.bytes ?? NaN));
  const blocks = scrapes.flatMap((s) => (s.block && s.block.requests > 0 ? [s.block] : []));
  const blockedMs = scrapes.reduce((n, s) => n + (s.block && s.block.requests > 0 ? s.ms : 0), 0);
  const onCpu = spread(scrapes.flatMap((s) => (s.mainThread ? [s.mainThread.onCpuMs] : [])));
  const faults = spread(scrapes.flatMap((s) => (s.minorFaults === undefined ? [] : [s.minorFaults])));
  const waiting = spread(scrapes.flatMap((s) => (s.mainThread ? [s.mainThread.waitingMs] : [])));
  const holds = scrapes.flatMap((s) => (s.render ? [s.render.holdSeconds * 1000] : []));
  const finite = (n: number) => (Number.isFinite(n) ? n : null);
  return {
    scrapeWallMedianMs: finite(walls.median),
    scrapeWallMaxMs: finite(walls.max),
    scrapeBytesMedian: finite(bytes.median),
    // The longest /healthz response over every in-window scrape, and the worst scrape's p99.
    longestBlockMaxMs: blocks.length > 0 ? Math.max(...blocks.map((b) => b.maxMs)) : null,
    blockP99MaxMs: blocks.length > 0 ? Math.max(...blocks.map((b) => b.p99Ms)) : null,
    blockRequests: blocks.reduce((n, b) => n + b.requests, 0),
    blockErrors: scrapes.reduce((n, s) => n + (s.block?.errors ?? 0), 0),
    // Answers over 10 ms per second of scraping, to set against the same with no scrape.
    scrapeSlowPerSecond: blocks.length > 0 ? blocks.reduce((n, b) => n + b.slow, 0) / (blockedMs / 1000) : null,
    // Where a scrape's wall time went on the agent's main thread (median over scrapes).
    mainThreadOnCpuMedianMs: finite(onCpu.median),
    mainThreadWaitingMedianMs: finite(waiting.median),
    minorFaultsMedian: finite(faults.median),
    // The agent's own measure: the longest any in-window render held its event loop at once.
    renderHoldMaxMs: holds.length > 0 ? Math.max(...holds) : null,
  };
}
