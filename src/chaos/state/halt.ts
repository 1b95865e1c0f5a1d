/**
 * The halt switch: while `<stateDir>/HALT` exists, no chaos run starts and every running
 * one stops applying faults and rolls back. A file, so that any process of the host (the
 * CLI, an operator's shell, another agent) can pull it without talking to the runner.
 */
import { readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CanaryError, ERROR_CODES } from '../../errors.js';
import { fsyncDir, writeFileDurable } from './durable.js';
import { errnoCode, thisHost } from './process.js';

/** The content of the HALT file. */
export interface HaltRecord {
  /** Who pulled the switch. */
  operator: string;
  reason: string;
  /** ISO 8601. */
  at: string;
  host: string;
}

/**
 * How often watchers look. Polling, not fs.watch: fs.watch misses renames (our durable
 * write is one) on some filesystems and platforms, and halting must not depend on it.
 * 100 ms keeps the "every runner within 1 s" promise with a wide margin on a busy host.
 */
export const HALT_POLL_MS = 100;

/** Path of the switch in a state directory. */
export function haltPath(stateDir: string): string {
  return join(stateDir, 'HALT');
}

/**
 * Pulls the switch: writes the HALT file durably and returns what it holds.
 *
 * @example await halt(stateDir, { operator: 'alice', reason: 'checkout errors rising' });
 */
export async function halt(stateDir: string, who: { operator: string; reason: string }): Promise<HaltRecord> {
  if (who.operator.trim() === '') throw new CanaryError(ERROR_CODES.usage, 'a halt needs an operator');
  const record: HaltRecord = {
    operator: who.operator,
    reason: who.reason,
    at: new Date().toISOString(),
    host: thisHost(),
  };
  await writeFileDurable(haltPath(stateDir), `${JSON.stringify(record)}\n`);
  return record;
}

/** Releases the switch. Returns the record it removed, undefined when there was none. */
export async function resume(stateDir: string): Promise<HaltRecord | undefined> {
  const previous = await haltStatus(stateDir);
  await rm(haltPath(stateDir), { force: true });
  if (previous !== undefined) await fsyncDir(dirname(haltPath(stateDir)));
  return previous;
}

/**
 * The halt in force, or undefined. A HALT file that cannot be read or parsed still halts:
 * when in doubt, no faults.
 */
export async function haltStatus(stateDir: string): Promise<HaltRecord | undefined> {
  let text: string;
  try {
    text = await readFile(haltPath(stateDir), 'utf8');
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    return unreadable(`cannot be read (${code ?? String(err)})`);
  }
  try {
    const value = JSON.parse(text) as Partial<Record<keyof HaltRecord, unknown>>;
    const { operator, reason, at, host } = value;
    if (
      typeof operator === 'string' &&
      typeof reason === 'string' &&
      typeof at === 'string' &&
      typeof host === 'string'
    ) {
      return { operator, reason, at, host };
    }
  } catch {
    // Falls through: present but not a record.
  }
  return unreadable('is not a halt record');
}

function unreadable(why: string): HaltRecord {
  return { operator: 'unknown', reason: `the HALT file ${why}`, at: new Date().toISOString(), host: thisHost() };
}

/**
 * Calls `onHalt` once, as soon as the HALT file exists (at once if it already does), then
 * stops watching. The timer is unref'd: a watcher never keeps the process alive.
 *
 * @example
 * const watcher = watchHalt(stateDir, (h) => controller.abort(new Error(`halted by ${h.operator}`)));
 * try { await runMethod(controller.signal); } finally { watcher.close(); }
 */
export function watchHalt(stateDir: string, onHalt: (record: HaltRecord) => void): { close(): void } {
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const poll = async (): Promise<void> => {
    const record = await haltStatus(stateDir);
    if (closed) return;
    if (record !== undefined) {
      closed = true;
      onHalt(record);
      return;
    }
    // A chained timeout, not setInterval: a slow disk never stacks up overlapping reads.
    timer = setTimeout(() => void poll(), HALT_POLL_MS);
    timer.unref();
  };
  void poll();
  return {
    close(): void {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
