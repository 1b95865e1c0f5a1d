/**
 * Snapshots kept on disk with what was measured when they were taken, so a later run can
 * split them again (after the owner table changed) without starting the agent.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentSnapshot } from './agent-snapshot.js';

const PATTERN = /^agent-(\d+)\.json$/;

/** Moves the snapshot file into `dir` as `agent-N.heapsnapshot`, with `agent-N.json` beside it; returns the facts with the new path. */
export function keepSnapshot(snapshot: AgentSnapshot, dir: string): AgentSnapshot {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `agent-${snapshot.checks}.heapsnapshot`);
  try {
    renameSync(snapshot.file, file);
  } catch {
    // Another file system: copy, then drop the scratch copy.
    copyFileSync(snapshot.file, file);
    rmSync(snapshot.file, { force: true });
  }
  const kept = { ...snapshot, file };
  writeFileSync(join(dir, `agent-${snapshot.checks}.json`), `${JSON.stringify(kept, null, 2)}\n`);
  return kept;
}

/** Every snapshot kept in `dir`, fewest checks first. */
export function keptSnapshots(dir: string): AgentSnapshot[] {
  const found = readdirSync(dir)
    .map((name) => PATTERN.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({
      ...(JSON.parse(readFileSync(join(dir, m[0]), 'utf8')) as AgentSnapshot),
      file: join(dir, `agent-${m[1]}.heapsnapshot`),
    }));
  if (found.length === 0) throw new Error(`no agent-N.json with its agent-N.heapsnapshot in ${dir}`);
  return found.sort((a, b) => a.checks - b.checks);
}
