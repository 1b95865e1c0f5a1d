/**
 * The lab's documented ports (config/demo.yaml, chaos/ and the docs name 18179-18183,
 * 18190, 18474 and 9464) are fixed, so the tests that use them as written take turns
 * across test processes: a lock directory in the temp dir holding the owner's pid, taken
 * over when that process is gone (a test process killed mid-run leaves it behind).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alive } from './chaos.js';

const LOCK = join(tmpdir(), 'canary-test-lab-ports.lock');

/** Takes the lock or says who holds it; a lock whose owner is gone is removed. */
function tryTake(): number | undefined {
  try {
    mkdirSync(LOCK);
    writeFileSync(join(LOCK, 'pid'), String(process.pid));
    return undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  let owner = Number.NaN;
  try {
    owner = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
  } catch {
    // Between its mkdir and its pid write: treat as held.
    return -1;
  }
  if (Number.isInteger(owner) && owner > 0 && !alive(owner)) rmSync(LOCK, { recursive: true, force: true });
  return owner;
}

/**
 * Waits (up to `timeoutMs`) until this process holds the lab's fixed ports; resolves with
 * the release. Released at exit too, should the test end without calling it.
 */
export async function holdLabPorts(timeoutMs = 15 * 60_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  let owner = tryTake();
  while (owner !== undefined) {
    if (Date.now() > deadline)
      throw new Error(`the lab's fixed ports are still held by pid ${owner} after ${timeoutMs} ms (${LOCK})`);
    await new Promise((r) => setTimeout(r, 500));
    owner = tryTake();
  }
  const release = () => {
    process.off('exit', release);
    rmSync(LOCK, { recursive: true, force: true });
  };
  process.on('exit', release);
  return release;
}
