/**
 * Chaos test scaffolding: victim services as real child processes with pid files, a
 * config and experiment written into a temporary directory, and journal reading.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Journal } from '../../src/chaos/model/journal.js';
import { CliProcess } from './cli.js';
import { eventually } from './wait.js';
import { fixture } from './paths.js';

export interface Victim {
  name: string;
  pid: number;
  pidFile: string;
  url: string;
  child: ChildProcess;
}

/** A scratch directory with `pids/` and `state/`, removed by `cleanup()`. */
export interface ChaosLab {
  dir: string;
  stateDir: string;
  victims: Victim[];
  /** Writes `agent.yaml` (chaos enabled unless told otherwise) and returns its path. */
  writeConfig(checks: string[], options?: { enabled?: boolean; extra?: string[] }): string;
  /** Writes an experiment file and returns its path. */
  writeExperiment(name: string, yaml: string): string;
  /** Every journal in the state dir. */
  journals(): Journal[];
  cleanup(): Promise<void>;
}

async function startVictim(dir: string, name: string): Promise<Victim> {
  const pidFile = join(dir, 'pids', `${name}.pid`);
  const child = spawn(process.execPath, [fixture('victim', 'server.mjs'), pidFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  const { port, pid } = JSON.parse(line.toString('utf8')) as { port: number; pid: number };
  return { name, pid, pidFile, url: `http://127.0.0.1:${port}`, child };
}

/** Starts `count` victims named v1, v2, … and returns the lab around them. */
export async function startChaosLab(count: number): Promise<ChaosLab> {
  const dir = mkdtempSync(join(tmpdir(), 'canary-chaos-'));
  mkdirSync(join(dir, 'pids'));
  const victims: Victim[] = [];
  for (let i = 1; i <= count; i++) victims.push(await startVictim(dir, `v${i}`));
  const stateDir = join(dir, 'state');
  return {
    dir,
    stateDir,
    victims,
    writeConfig(checks, options = {}) {
      const file = join(dir, 'agent.yaml');
      writeFileSync(
        file,
        [
          'agent: { region: chaos-test }',
          'server: { listen: 127.0.0.1:0 }',
          `chaos: { enabled: ${options.enabled ?? true}, files: ["*.chaos.yaml"], stateDir: state }`,
          'exporters: { log: { level: info } }',
          ...(options.extra ?? []),
          'checks:',
          ...(checks.length ? checks.map((c) => `  - ${c}`) : ['  []']),
        ].join('\n'),
      );
      return file;
    },
    writeExperiment(name, yaml) {
      const file = join(dir, `${name}.chaos.yaml`);
      writeFileSync(file, yaml);
      return file;
    },
    journals() {
      const jdir = join(stateDir, 'journal');
      if (!existsSync(jdir)) return [];
      return readdirSync(jdir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => JSON.parse(readFileSync(join(jdir, f), 'utf8')) as Journal);
    },
    async cleanup() {
      for (const v of victims) {
        if (v.child.exitCode !== null || v.child.signalCode !== null) continue;
        v.child.kill('SIGCONT');
        v.child.kill('SIGKILL');
        await once(v.child, 'exit');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The state letter of a process from /proc (`T` stopped, `S` sleeping, `R` running). */
export function procState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

export function isStopped(v: Victim): boolean {
  return procState(v.pid) === 'T';
}

/** Targets block naming victims one instance per target (`v1: { instances: [...] }`). */
export function victimTargets(victims: readonly Victim[]): string {
  return [
    'targets:',
    ...victims.map(
      (v) => `  ${v.name}: { instances: [ { name: ${v.name}, pidFile: "${v.pidFile}", url: "${v.url}" } ] }`,
    ),
  ].join('\n');
}

/** Whether a pid names a live process (a zombie, killed but not yet reaped, is not). */
export function alive(pid: number): boolean {
  if (!existsSync(`/proc/${pid}/stat`)) return false;
  return procState(pid) !== 'Z';
}

/** The pid a pid file holds now. */
export function currentPid(pidFile: string): number {
  return Number(readFileSync(pidFile, 'utf8').trim());
}

/**
 * Runs `canary chaos run FILE` and SIGKILLs the runner once its first fault is applied:
 * the journal it leaves is what recovery (`chaos recover`, the next run, the agent's start)
 * must finish.
 */
export async function killRunnerAfterFirstFault(lab: ChaosLab, file: string, config: string): Promise<void> {
  const runner = new CliProcess(['chaos', 'run', file, '--config', config]);
  try {
    await eventually(
      () => Promise.resolve(lab.journals()[0]?.faults[0]?.status === 'applied' ? true : undefined),
      15_000,
      'fault applied',
    );
    runner.child.kill('SIGKILL');
    await runner.exited;
  } finally {
    await runner.kill();
  }
}
