/**
 * A child process for the heap benchmark's tests: it holds a structure whose size is
 * known, so the retained sizes the analysis finds in its heap snapshot can be checked.
 *
 *   Holder42 ─items─> [1,000 × Probe42 ─payload─> ArrayBuffer of 10,000 bytes]
 *            ─#tags─> Map of 1,000 { label } objects
 *
 * It also lets go of some garbage old enough to need a full GC, so the test can confirm
 * that taking the snapshot collects it. Over IPC it answers `ping` with `pong` and
 * `memory` with its heapUsed; it exits when its parent goes away.
 *
 * Usage (by the tests): node --heapsnapshot-signal=SIGUSR2 dist/test/bench/heap/fixture.js (with an IPC channel)
 */
import { fileURLToPath } from 'node:url';

/** How many Probe42 objects, and how many payload bytes each holds. */
export const PROBES = 1_000;
export const PAYLOAD_BYTES = 10_000;
/** Exit on its own after this long even if the test never says so. */
const MAX_LIFETIME_MS = 60_000;

class Probe42 {
  readonly payload = new ArrayBuffer(PAYLOAD_BYTES);
  constructor(readonly id: number) {}
}

class Holder42 {
  readonly items: Probe42[] = [];
  readonly #tags = new Map<string, { label: string }>();

  add(id: number): void {
    this.items.push(new Probe42(id));
    const label = `tag-${id}`;
    this.#tags.set(label, { label });
  }
}

/** Garbage big enough to show in heapUsed, kept until it has been promoted to the old generation. */
function promotedGarbage(): unknown[] {
  return Array.from({ length: 300_000 }, (_, i) => ({ i, text: `garbage-${i}` }));
}

// Only when run as the child (the tests import the constants above).
if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) {
  const holder = new Holder42();
  for (let id = 0; id < PROBES; id++) holder.add(id);
  // A weak reference is a second path to a Probe42 that must not count as retaining it.
  const weak = new WeakRef(holder.items[0] as Probe42);
  let garbage: unknown[] | undefined = promotedGarbage();
  Object.assign(globalThis, { holder, weak });
  process.on('message', (message) => {
    if (message === 'drop') garbage = undefined;
    if (message === 'ping') process.send?.('pong');
    if (message === 'memory' || message === 'drop')
      process.send?.({ heapUsed: process.memoryUsage().heapUsed, garbage: garbage?.length ?? 0 });
  });
  process.on('disconnect', () => process.exit(0));
  setTimeout(() => process.exit(0), MAX_LIFETIME_MS).unref();
  process.send('ready');
}
