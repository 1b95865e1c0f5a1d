/**
 * The benchmark's side of blackbox_exporter: the exporter with the main bench's `http_2xx`
 * module, driven over kept-alive connections by the main bench's {@link Pacer} (every slot
 * once a second at its own seeded offset, as Prometheus spreads its scrapes), the measured
 * slots against the holding target with a unique `id` per probe, the others against the
 * fast target. The driver runs in the benchmark process; the exporter in its own.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool, request } from 'undici';
import { BLACKBOX_CONFIG, blackboxVersion } from '../blackbox-run.js';
import { start, stop, sleep, waitFor, type Started } from '../children.js';
import { freePort } from '../ipc.js';
import { Pacer, type PacerCounts } from '../pacer.js';
import { PACER_SEED } from '../phase.js';
import type { AgentLoad } from './agent-side.js';
import { fastPath, holdPath } from './paths.js';
import { parseBlackboxProbe, type IdRecord } from './stats.js';

/** Cap on concurrent `/probe` requests, one connection each (as the main bench). */
const MAX_IN_FLIGHT = 256;
/** Records kept at most: far more than a window at 20 a second needs, so memory stays bounded. */
const MAX_RECORDS = 200_000;

/** A running exporter with its driver. */
export interface BlackboxSide {
  started: Started;
  version: string;
  /** The driver's counts so far (every slot, measured and others). */
  counts(): PacerCounts;
  /** Stops the driver (in-flight probes finish), then the exporter; returns the measured probes. */
  finish(): Promise<{ records: IdRecord[]; counts: PacerCounts }>;
}

/** One `/probe`; resolves to its answer's text, or undefined for a non-200 answer. */
async function probe(pool: Pool, target: string): Promise<string | undefined> {
  const path = `/probe?module=http_2xx&target=${encodeURIComponent(target)}`;
  const { statusCode, body } = await pool.request({ path, method: 'GET', headersTimeout: 10_000, bodyTimeout: 10_000 });
  const text = await body.text();
  return statusCode === 200 ? text : undefined;
}

/** Starts the exporter, waits until it is healthy, and starts driving it. */
export async function startBlackboxSide(
  binary: string,
  load: AgentLoad,
  workDir: string,
  idPrefix: string,
  maxDurationMs: number,
): Promise<BlackboxSide> {
  const configFile = join(workDir, 'timing-blackbox.yml');
  writeFileSync(configFile, BLACKBOX_CONFIG);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const started = await start(binary, [
    `--config.file=${configFile}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ]);
  try {
    await waitFor(
      `blackbox_exporter on ${base}`,
      async () => {
        if (started.child.exitCode !== null) throw new Error(`blackbox_exporter exited: ${started.output()}`);
        const res = await request(`${base}/-/healthy`).catch(() => undefined);
        await res?.body.dump();
        return res?.statusCode === 200;
      },
      15_000,
    );
  } catch (error) {
    await stop(started, 2_000);
    throw error;
  }
  const pool = new Pool(base, { connections: MAX_IN_FLIGHT, pipelining: 1 });
  const records: IdRecord[] = [];
  let sequence = 0;
  const pacer = new Pacer({
    slots: load.timed + load.others,
    periodMs: 1_000,
    seed: PACER_SEED,
    maxInFlight: MAX_IN_FLIGHT,
    maxDurationMs,
    fire: async (index) => {
      if (index >= load.timed) {
        const text = await probe(pool, load.fastOrigin + fastPath(index - load.timed));
        return text !== undefined && /^probe_success 1$/m.test(text);
      }
      const id = `${idPrefix}${sequence++}`;
      const startedAt = Date.now();
      const text = await probe(pool, load.holdOrigin + holdPath(index, id));
      const parsed = text === undefined ? undefined : parseBlackboxProbe(text);
      const ok = parsed?.success === true && parsed.processingMs !== undefined;
      if (records.length < MAX_RECORDS)
        records.push({ id, startedAt, processingMs: ok ? parsed.processingMs : undefined });
      return ok;
    },
  });
  pacer.start();
  return {
    started,
    version: blackboxVersion(binary),
    counts: () => ({ ...pacer.counts }),
    async finish() {
      pacer.stop();
      try {
        // Probes take ~50 ms; the exporter's own timeout is 5 s.
        for (let i = 0; i < 120 && pacer.counts.inFlight > 0; i++) await sleep(50);
        return { records, counts: { ...pacer.counts } };
      } finally {
        await pool.destroy();
        await stop(started, 5_000);
      }
    },
  };
}
