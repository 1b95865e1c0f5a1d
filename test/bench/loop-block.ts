/**
 * The loop-block probe: while a `/metrics` scrape runs, `GET /healthz` is sent to the
 * agent over one kept-alive connection, one request at a time, about every 2 ms. The
 * agent answers `/healthz` at once, on the same event loop that renders `/metrics`, so a
 * response can only be slow if the loop was busy with something else: the longest
 * response time during a scrape bounds how long the render held the loop at one stretch
 * (from below, to within the probe's own gap and the loopback round trip).
 *
 * Bounded: it stops when told (the scrape has ended) or after `maxRequests`, whichever
 * comes first, and it never has more than one request in flight.
 */
import { Client } from 'undici';
import { sleep } from './children.js';
import { quantiles } from './timing/stats.js';

/** What one probe saw while it ran. */
export interface BlockProbeResult {
  /** Requests answered. */
  requests: number;
  /** Requests that failed (no answer, or not 200). */
  errors: number;
  /** Longest response time, ms: the "longest block". */
  maxMs: number;
  /** p99 of the response times (nearest rank), ms. */
  p99Ms: number;
  /** Median response time, ms: the probe's own floor when the loop is free. */
  p50Ms: number;
  /** Answers slower than {@link SLOW_ANSWER_MS}: blocks longer than the issue allows a render. */
  slow: number;
}

/** A `/healthz` answer slower than this counts as `slow`, ms. */
export const SLOW_ANSWER_MS = 10;

/** Options of {@link startBlockProbe}. */
export interface BlockProbeOptions {
  /** Gap between the starts of two requests, ms (a request slower than this is followed at once). */
  everyMs?: number;
  /** Stop after this many requests even if not told. */
  maxRequests?: number;
  /** Path to request. */
  path?: string;
}

/** A running probe. */
export interface BlockProbe {
  /** Stops after the request in flight, closes the connection and returns the figures. */
  stop(): Promise<BlockProbeResult>;
}

/** Default gap between requests, ms. */
export const BLOCK_PROBE_EVERY_MS = 2;
/** Default cap on requests per probe (4 s at 2 ms). */
export const BLOCK_PROBE_MAX_REQUESTS = 2_000;

/** Figures of a list of response times. */
export function blockFigures(times: readonly number[], errors: number): BlockProbeResult {
  const q = quantiles(times);
  const slow = times.filter((t) => t > SLOW_ANSWER_MS).length;
  return { requests: times.length, errors, maxMs: times.length > 0 ? q.max : NaN, p99Ms: q.p99, p50Ms: q.p50, slow };
}

/** One timed request; the time, or undefined when it failed. */
async function timedRequest(client: Client, path: string): Promise<number | undefined> {
  const started = performance.now();
  try {
    const { statusCode, body } = await client.request({
      path,
      method: 'GET',
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    await body.dump();
    const ms = performance.now() - started;
    return statusCode === 200 ? ms : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The same probe over `ms` with nothing else asked of the agent: what its event loop shows
 * from probing and garbage collection alone, to set the blocks seen during scrapes against.
 */
export async function quietBlockProbe(base: string, ms: number): Promise<BlockProbeResult> {
  const probe = startBlockProbe(base, { maxRequests: Math.ceil(ms / BLOCK_PROBE_EVERY_MS) + 1 });
  await sleep(ms);
  return probe.stop();
}

/** Starts probing `base` (e.g. `http://127.0.0.1:9464`) at once. */
export function startBlockProbe(base: string, options: BlockProbeOptions = {}): BlockProbe {
  const everyMs = options.everyMs ?? BLOCK_PROBE_EVERY_MS;
  const maxRequests = options.maxRequests ?? BLOCK_PROBE_MAX_REQUESTS;
  const path = options.path ?? '/healthz';
  // One connection, kept alive, one request at a time: the probe never queues behind itself.
  const client = new Client(base, { pipelining: 1, keepAliveTimeout: 30_000 });
  const times: number[] = [];
  let errors = 0;
  let stopping = false;
  const loop = (async () => {
    while (!stopping && times.length + errors < maxRequests) {
      const started = performance.now();
      const ms = await timedRequest(client, path);
      if (ms === undefined) errors++;
      else times.push(ms);
      const wait = everyMs - (performance.now() - started);
      if (wait > 0 && !stopping) await sleep(wait);
    }
  })();
  return {
    async stop() {
      stopping = true;
      await loop;
      await client.close().catch(() => undefined);
      return blockFigures(times, errors);
    },
  };
}
