/**
 * A real Alertmanager (Debian's `prometheus-alertmanager`) started for one test, cluster
 * off, on loopback, and a webhook receiver that records every notification it gets.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTool } from './promtool.js';
import { freePort } from './prometheus.js';
import { startHttpServer, type HttpTestServer } from './servers.js';
import { eventually } from './wait.js';

export const alertmanagerBinary = (): string | undefined =>
  findTool('alertmanager') ?? findTool('prometheus-alertmanager');
export const NO_ALERTMANAGER =
  'alertmanager not found in PATH (apt-get install prometheus-alertmanager); .ci/run installs it';

export interface AlertmanagerServer {
  url: string;
  stop(): Promise<void>;
}

/** Starts Alertmanager with `config` (YAML text). */
export async function startAlertmanager(config: string): Promise<AlertmanagerServer> {
  const binary = alertmanagerBinary();
  if (!binary) throw new Error(NO_ALERTMANAGER);
  const dir = mkdtempSync(join(tmpdir(), 'canary-am-'));
  writeFileSync(join(dir, 'alertmanager.yml'), config);
  const port = await freePort();
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await eventually(async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined), 30_000, 'alertmanager ready');
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, stop };
}

/** One webhook notification: its status and its alerts' status and labels. */
export interface Notification {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: { status: 'firing' | 'resolved'; labels: Record<string, string> }[];
}

/** A loopback webhook receiver; `notifications()` lists what Alertmanager posted, in order. */
export async function startWebhook(): Promise<HttpTestServer & { notifications(): Notification[] }> {
  const server = await startHttpServer((_req, res) => res.end('ok'));
  return Object.assign(server, {
    notifications: () => server.requests.map((r) => JSON.parse(r.body) as Notification),
  });
}

/** Active alerts named `alertname`, from the v2 API. */
export async function activeAlertsOf(url: string, alertname: string): Promise<{ labels: Record<string, string> }[]> {
  const res = await fetch(`${url}/api/v2/alerts?active=true&filter=${encodeURIComponent(`alertname="${alertname}"`)}`);
  return (await res.json()) as { labels: Record<string, string> }[];
}
