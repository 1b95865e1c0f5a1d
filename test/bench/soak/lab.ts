/**
 * The lab side of the soak: `canary lab` as a user starts it (a balancer and backends as
 * real processes, with a control API), and `canary chaos run` against it, both through the
 * CLI so the soak exercises what operators run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { agentEnv } from '../agent-env.js';
import { cliPath, repoRoot } from '../agent-run.js';
import { start, stop, type Started } from '../children.js';

/** A running lab. */
export interface SoakLab {
  process: Started;
  /** Origin of the control API, as experiments name it. */
  control: string;
  /** The balancer's URL. */
  frontend: string;
}

/** Starts `canary lab --json` with two backends on free ports and waits for its endpoints line. */
export async function startSoakLab(dir: string): Promise<SoakLab> {
  const args = ['lab', '--backends', '2', '--base-port', '0', '--dir', join(dir, 'lab')];
  args.push('--control', '127.0.0.1:0', '--warmup-requests', '0', '--origin-fill', '0ms', '--json');
  const lab = await start(process.execPath, [cliPath, ...args], { cwd: repoRoot, env: agentEnv() });
  const line = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(
      () => reject(new Error(`canary lab printed no endpoints in 30 s: ${lab.output()}`)),
      30_000,
    );
    lab.child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const found = text.split('\n').find((l) => l.startsWith('{"control"'));
      if (found && text.includes(`${found}\n`)) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    void lab.exited.then(() => reject(new Error(`canary lab exited: ${lab.output()}`)));
  });
  const shown = JSON.parse(line) as { control: string; processes: { name: string; url: string }[] };
  const balancer = shown.processes.find((p) => p.name === 'balancer');
  if (!balancer) throw new Error(`canary lab showed no balancer: ${line}`);
  return { process: lab, control: new URL(shown.control).origin, frontend: balancer.url.replace(/\/$/, '') };
}

/** SIGKILLs every process a pid file of the lab under `dir` names (the harness is going away). */
export function killLabProcesses(dir: string): void {
  const pids = join(dir, 'lab', 'pids');
  let files: string[] = [];
  try {
    files = readdirSync(pids);
  } catch {
    return;
  }
  for (const file of files) {
    try {
      process.kill(Number(readFileSync(join(pids, file), 'utf8').trim()), 'SIGKILL');
    } catch {
      // Already gone, or the file was half written.
    }
  }
}

/** How one chaos run ended. */
export interface ChaosOutcome {
  /** The CLI's exit code (0 completed, 1 deviated/aborted/failed, 2 refused). */
  code: number | null;
  /** The journal's status, when the CLI printed one. */
  status: string;
  seconds: number;
}

/**
 * Runs `canary chaos run EXPERIMENT --config CONFIG --json` to its end; after `timeoutMs`, or
 * when `signal` aborts, it is interrupted (SIGINT: it rolls back, then exits).
 */
export async function runChaos(
  experiment: string,
  config: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<ChaosOutcome> {
  const started = performance.now();
  const args = ['chaos', 'run', experiment, '--config', config, '--json', '--operator', 'soak', '--warmup', '30s'];
  const run = await start(process.execPath, [cliPath, ...args], { cwd: repoRoot, env: agentEnv() });
  let stdout = '';
  run.child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const interrupt = () => void stop(run, 10_000, 'SIGINT');
  const timer = setTimeout(interrupt, timeoutMs);
  signal.addEventListener('abort', interrupt);
  await run.exited;
  clearTimeout(timer);
  signal.removeEventListener('abort', interrupt);
  let status = 'no journal';
  try {
    const journal = JSON.parse(stdout) as { status?: unknown };
    if (typeof journal.status === 'string') status = journal.status;
  } catch {
    // Reported as "no journal"; the exit code tells the rest.
  }
  return { code: run.child.exitCode, status, seconds: (performance.now() - started) / 1000 };
}
