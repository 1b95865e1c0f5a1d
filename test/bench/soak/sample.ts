/**
 * One reading of the agent: /metrics scraped as Prometheus scrapes it (OpenMetrics, gzip),
 * and the kernel's view of the process from /proc/PID (resident memory, open descriptors,
 * and how many of those are sockets).
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { PROMETHEUS_SCRAPE_HEADERS } from '../scrape-cost.js';
import { memory } from '../proc.js';
import { sum } from '../prom-text.js';

/** Open descriptors of a process, and how many are sockets. */
export function descriptors(pid: number): { fds: number; sockets: number } {
  const dir = `/proc/${pid}/fd`;
  let fds = 0;
  let sockets = 0;
  for (const name of readdirSync(dir)) {
    fds++;
    try {
      if (readlinkSync(`${dir}/${name}`).startsWith('socket:')) sockets++;
    } catch {
      // Closed between the listing and the read.
    }
  }
  return { fds, sockets };
}

/** What the soak reads from one scrape. */
export interface ScrapeFacts {
  heapUsedBytes: number;
  /** `canary_config_last_reload_success_timestamp_seconds`. */
  reloadTimestamp: number;
  /** `canary_config_last_reload_successful`. */
  reloadOk: number;
  probeRuns: { success: number; failure: number };
  /** Exposition bytes as sent (compressed) and after decompression. */
  wireBytes: number;
  textBytes: number;
}

/** Scrapes `/metrics` with Prometheus's headers; throws on anything but a 200 in OpenMetrics. */
export async function scrape(base: string): Promise<ScrapeFacts> {
  const answer = await request(`${base}/metrics`, {
    headers: PROMETHEUS_SCRAPE_HEADERS,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const chunks: Buffer[] = [];
  for await (const chunk of answer.body as AsyncIterable<Buffer>) chunks.push(chunk);
  const raw = Buffer.concat(chunks);
  if (answer.statusCode !== 200) throw new Error(`/metrics answered ${answer.statusCode}`);
  const type = String(answer.headers['content-type'] ?? '');
  if (!type.startsWith('application/openmetrics-text')) throw new Error(`/metrics answered ${type}, not OpenMetrics`);
  const gzip = answer.headers['content-encoding'] === 'gzip';
  const text = (gzip ? gunzipSync(raw) : raw).toString('utf8');
  if (!text.trimEnd().endsWith('# EOF')) throw new Error('/metrics ended without # EOF');
  return {
    heapUsedBytes: sum(text, 'canary_nodejs_heap_size_used_bytes'),
    reloadTimestamp: sum(text, 'canary_config_last_reload_success_timestamp_seconds'),
    reloadOk: sum(text, 'canary_config_last_reload_successful'),
    probeRuns: {
      success: sum(text, 'canary_probe_runs_total', { result: 'success' }),
      failure: sum(text, 'canary_probe_runs_total', { result: 'failure' }),
    },
    wireBytes: raw.length,
    textBytes: text.length,
  };
}

/** The kernel's view of the agent now. */
export function procReading(pid: number): { rssBytes: number; fds: number; sockets: number } {
  return { rssBytes: memory(pid).rss, ...descriptors(pid) };
}
