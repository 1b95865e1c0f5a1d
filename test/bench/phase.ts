/** What every benchmark phase is given and gives back. */
import { mkdtempSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Target } from './ipc.js';
import type { WindowResult } from './measure.js';
import { summariseFile, type ProfileSummary } from './profile.js';
import type { ScrapeCost } from './scrape-cost.js';

/** Inputs shared by the phases of one benchmark run. */
export interface PhaseOptions {
  target: Target;
  /** Distinct paths (and agent checks) the probes cycle through. */
  checks: number;
  /** Probes per second every prober is asked for. */
  rate: number;
  warmupMs: number;
  /** Pause between the prober's first snapshot and the window. */
  settleMs: number;
  windowMs: number;
  /** Scratch directory for generated configs. */
  workDir: string;
  /** With `--profile`: write V8 CPU profiles of the Node probers here. */
  profileDir?: string;
}

/** One prober's measurement. */
export interface PhaseResult {
  /** `agent`, `blackbox` or `undici`, with a suffix for variants (`agent-10k`). */
  name: string;
  /** Human description for the table. */
  label: string;
  window: WindowResult;
  /** Prober-specific facts (scheduler lag, failure reasons, versions). */
  notes: Record<string, string | number | null>;
  /** With `--profile`: the CPU profile and its summary over the window only. */
  profile?: { file: string; window: ProfileSummary };
  /** The agent's in-window `/metrics` scrapes, one entry each, in the order they ended. */
  scrapes?: ScrapeCost[];
}

/** Seed of the load generators' offsets (the agent has its own, `probes.seed`). */
export const PACER_SEED = 1234;

/** The period in which every one of `checks` paths is probed once, at `rate` probes per second. */
export function periodMs(options: Pick<PhaseOptions, 'checks' | 'rate'>): number {
  return (options.checks / options.rate) * 1000;
}

/** The path of probe `index`: distinct per check so every check is a different URL. */
export function probePath(index: number, checks: number): string {
  return `/c/${index % checks}`;
}

/** Node flags that write a CPU profile into a directory of this run's own, when profiling. */
export function profilingFlags(
  options: Pick<PhaseOptions, 'profileDir'>,
  name: string,
): { flags: string[]; dir?: string } {
  if (!options.profileDir) return { flags: [] };
  // A directory per run, so the one profile in it is this run's.
  const dir = mkdtempSync(join(options.profileDir, `${name}-`));
  return { flags: ['--cpu-prof', `--cpu-prof-dir=${dir}`], dir };
}

/** Adds the summary of the profile in `dir` (written when the prober exited), cut to the window. */
export function attachProfile(result: PhaseResult, dir: string | undefined): PhaseResult {
  const file = dir ? readdirSync(dir).find((f) => f.endsWith('.cpuprofile')) : undefined;
  if (dir && file) {
    const path = join(dir, file);
    result.profile = { file: path, window: summariseFile(path, 25, result.window.monotonicUs) };
  }
  return result;
}
