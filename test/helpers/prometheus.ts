import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './wait.js';
import { findTool } from './promtool.js';

/** A free TCP port on 127.0.0.1 (bound then released; good enough for a test's own servers). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A real Prometheus server (Debian's) started for one test, with its own data directory. */
export interface PrometheusServer {
  url: string;
  /** Instant query; returns the result vector. */
  query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  stop(): Promise<void>;
}

export const prometheusBinary = (): string | undefined => findTool('prometheus');

/** Starts Prometheus scraping `targets` (host:port) every second; `flags` are extra command-line flags. */
export async function startPrometheus(
  targets: readonly string[],
  extraConfig = '',
  flags: readonly string[] = [],
): Promise<PrometheusServer> {
  const binary = prometheusBinary();
  if (!binary) throw new Error('prometheus not found in PATH');
  const dir = mkdtempSync(join(tmpdir(), 'canary-prom-'));
  const port = await freePort();
  const config = [
    'global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s }',
    'scrape_configs:',
    '  - job_name: canary',
    `    static_configs: [ { targets: [${targets.map((t) => `"${t}"`).join(', ')}] } ]`,
    extraConfig,
  ].join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), config);
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...flags,
    ],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await eventually(async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined), 30_000, 'prometheus ready');
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    stop,
    async query(promql) {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await res.json()) as {
        status: string;
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      if (body.status !== 'success') throw new Error(`query failed: ${JSON.stringify(body)}`);
      return body.data.result;
    },
  };
}
