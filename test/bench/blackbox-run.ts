/**
 * The reference: prometheus-blackbox-exporter driven the way Prometheus drives it, one
 * `GET /probe?module=http_2xx&target=...` per probe over kept-alive connections, at the
 * same rate as the agent probes. The driver runs in the benchmark process; only the
 * exporter's CPU is counted.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { Pool, request } from 'undici';
import { start, stop, waitFor } from './children.js';
import { freePort } from './ipc.js';
import { measureWindow } from './measure.js';
import { Pacer } from './pacer.js';
import { PACER_SEED, periodMs, probePath, type PhaseOptions, type PhaseResult } from './phase.js';

const BINARY = 'prometheus-blackbox-exporter';

/**
 * Probes the driver lets run at once, one connection each, as Prometheus runs one scrape
 * per target concurrently; a probe takes about a millisecond, so this only matters when
 * the exporter stalls, and then a slot that finds it full is counted as missed.
 */
const MAX_IN_FLIGHT = 256;

/** The module every probe uses: plain GET, 2xx expected, IPv4, 5 s like the agent's timeout. */
export const BLACKBOX_CONFIG = `modules:
  http_2xx:
    prober: http
    timeout: 5s
    http:
      preferred_ip_protocol: ip4
      ip_protocol_fallback: false
      valid_status_codes: [200]
`;

/** The exporter's path: `BENCH_BLACKBOX` if set, else the first on PATH; undefined when absent. */
export function findBlackbox(): string | undefined {
  const explicit = process.env.BENCH_BLACKBOX;
  const candidates = explicit ? [explicit] : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, BINARY));
  return candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** `0.23.0` from `--version`, or `unknown`. */
export function blackboxVersion(binary: string): string {
  try {
    const out = execFileSync(binary, ['--version'], {
      encoding: 'utf8',
      timeout: 5_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return /version (\S+)/.exec(out)?.[1] ?? 'unknown';
  } catch (error) {
    // Older builds print the version on stderr.
    const stderr = (error as { stderr?: string }).stderr ?? '';
    return /version (\S+)/.exec(stderr)?.[1] ?? 'unknown';
  }
}

/** Starts the exporter, drives it at `rate` for the warm-up and window, and measures it. */
export async function benchBlackbox(binary: string, options: PhaseOptions): Promise<PhaseResult> {
  const configFile = join(options.workDir, 'blackbox.yml');
  writeFileSync(configFile, BLACKBOX_CONFIG);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const exporter = await start(binary, [
    `--config.file=${configFile}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ]);
  const pool = new Pool(base, { connections: MAX_IN_FLIGHT, pipelining: 1 });
  const target = options.target.origin;
  const pacer = new Pacer({
    slots: options.checks,
    periodMs: periodMs(options),
    seed: PACER_SEED,
    maxInFlight: MAX_IN_FLIGHT,
    maxDurationMs: options.warmupMs + options.settleMs + options.windowMs + 30_000,
    fire: async (index) => {
      const path = `/probe?module=http_2xx&target=${encodeURIComponent(target + probePath(index, options.checks))}`;
      const { statusCode, body } = await pool.request({
        path,
        method: 'GET',
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      });
      const text = await body.text();
      return statusCode === 200 && /^probe_success 1$/m.test(text);
    },
  });
  try {
    await waitFor(
      `blackbox_exporter on ${base}`,
      async () => {
        if (exporter.child.exitCode !== null) throw new Error(`blackbox_exporter exited: ${exporter.output()}`);
        const res = await request(`${base}/-/healthy`).catch(() => undefined);
        await res?.body.dump();
        return res?.statusCode === 200;
      },
      15_000,
    );
    pacer.start();
    const window = await measureWindow({
      ...options,
      pid: exporter.pid,
      snapshot: () => Promise.resolve({ ...pacer.counts }),
    });
    return {
      name: 'blackbox',
      label: `blackbox_exporter ${blackboxVersion(binary)} (driven at ${options.rate}/s)`,
      window,
      notes: { version: blackboxVersion(binary), driverMaxInFlight: MAX_IN_FLIGHT },
    };
  } finally {
    pacer.stop();
    await pool.destroy();
    await stop(exporter, 5_000);
  }
}
