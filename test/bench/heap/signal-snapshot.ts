/**
 * Heap snapshots of a child Node process, asked for with a signal: the child is started
 * with `--heapsnapshot-signal`, and on that signal Node writes a `.heapsnapshot` file into
 * its `--diagnostic-dir`. Nothing has to be added to the program being measured, and
 * V8 runs a full garbage collection before it walks the heap, so the snapshot holds only
 * live objects.
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor, type Started } from '../children.js';

const SIGNAL: NodeJS.Signals = 'SIGUSR2';

/** The Node flags that make a child write a heap snapshot into `dir` when it gets the signal. */
export function heapSnapshotFlags(dir: string): string[] {
  return [`--heapsnapshot-signal=${SIGNAL}`, `--diagnostic-dir=${dir}`];
}

function snapshotFiles(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.endsWith('.heapsnapshot'));
}

/** Whether the file ends as a whole snapshot does: the string table's `]` and the object's `}`. */
function endsLikeSnapshot(path: string): boolean {
  const size = statSync(path).size;
  const tail = Buffer.alloc(Math.min(64, size));
  const fd = openSync(path, 'r');
  try {
    readSync(fd, tail, 0, tail.length, size - tail.length);
  } finally {
    closeSync(fd);
  }
  return /\]\s*\}\s*$/.test(tail.toString('latin1'));
}

/** How {@link takeHeapSnapshot} knows the child is done. */
export interface SignalSnapshotOptions {
  /** The child's `--diagnostic-dir`. */
  dir: string;
  /**
   * Asks the child something answered on its main thread (an HTTP request, an IPC
   * message). Node writes the snapshot on the main thread, so an answer to a question
   * asked after the file appeared means the file is complete.
   */
  roundTrip: () => Promise<unknown>;
  /** Give up after this long (a 10,000-check agent takes tens of seconds). */
  timeoutMs: number;
}

/** Signals `child` to write a heap snapshot and waits for the whole file; returns its path. */
export async function takeHeapSnapshot(child: Started, options: SignalSnapshotOptions): Promise<string> {
  const { dir, timeoutMs } = options;
  const before = new Set(snapshotFiles(dir));
  const deadline = Date.now() + timeoutMs;
  child.child.kill(SIGNAL);
  let name: string | undefined;
  await waitFor(
    `a heap snapshot file in ${dir}`,
    () => {
      if (child.child.exitCode !== null || child.child.signalCode !== null)
        throw new Error(`exited before writing a heap snapshot: ${child.output()}`);
      name = snapshotFiles(dir).find((f) => !before.has(f));
      return name !== undefined;
    },
    timeoutMs,
  );
  const path = join(dir, name as string);
  await options.roundTrip();
  // Belt and braces: the answer should already mean the file is whole.
  await waitFor(`the end of ${path}`, () => endsLikeSnapshot(path), Math.max(1_000, deadline - Date.now()), 200);
  return path;
}
