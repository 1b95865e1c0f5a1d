/** `canary lab` started as a user runs it, on free ports, for the e2e tests that need the real lab. */
import { join } from 'node:path';
import { CliProcess } from './cli.js';
import { eventually } from './wait.js';

/** What `canary lab --json` prints: its control API and its processes. */
export interface LabShown {
  control: string;
  processes: { name: string; role: string; url: string }[];
}

/**
 * Starts `canary lab` with `backends` backends under `dir/lab`, its control API on a free
 * port, and adds the process to `running` (the caller stops it). Resolves with its endpoints.
 */
export async function startLabCli(
  dir: string,
  running: CliProcess[],
  backends: number,
  extra: readonly string[] = [],
): Promise<LabShown> {
  const args = ['lab', '--backends', String(backends), '--base-port', '0', '--dir', join(dir, 'lab')];
  const lab = new CliProcess([...args, '--control', '127.0.0.1:0', ...extra, '--json']);
  running.push(lab);
  const line = await eventually(() => lab.lines.find((l) => l.startsWith('{"control"')), 30_000, 'the lab endpoints');
  return JSON.parse(line) as LabShown;
}
