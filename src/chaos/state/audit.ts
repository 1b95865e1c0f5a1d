/**
 * The audit log: `<stateDir>/audit.jsonl`, append-only JSON lines, one per action of the
 * chaos engine (who, what, when, the exact command), chained by hashes so that an edited,
 * removed or reordered line is evident. See audit-format.ts for the format.
 */
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CanaryError, ERROR_CODES } from '../../errors.js';
import { acquireAuditLock } from './audit-lock.js';
import { AUDIT_EVENTS, formatLine, GENESIS, seqOf, sha256, type AuditEntry, type AuditHead } from './audit-format.js';
import { appendLineDurable, writeFileDurable } from './durable.js';
import { errnoCode, thisHost } from './process.js';

export type { AuditEntry, AuditEvent, AuditHead, AuditRecord } from './audit-format.js';
export { AUDIT_EVENTS } from './audit-format.js';
export { verify, type AuditVerification } from './audit-verify.js';

/** Paths of the audit files in a state directory. */
export function auditPaths(stateDir: string): { log: string; head: string; lock: string } {
  return { log: join(stateDir, 'audit.jsonl'), head: join(stateDir, 'audit.head'), lock: join(stateDir, 'audit.lock') };
}

/** The last line of a file (without its newline) and whether the file ends with one. */
interface Tail {
  line: string;
  terminated: boolean;
}

const TAIL_CHUNK = 64 * 1024;

/** Reads backwards from the end until a newline: the log grows forever, appends stay cheap. */
async function readTail(path: string): Promise<Tail | undefined> {
  const handle = await open(path, 'r').catch((err: unknown) => {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  });
  if (handle === undefined) return undefined;
  try {
    const { size } = await handle.stat();
    if (size === 0) return undefined;
    let data = Buffer.alloc(0);
    let pos = size;
    let terminated: boolean | undefined;
    while (pos > 0) {
      const length = Math.min(TAIL_CHUNK, pos);
      pos -= length;
      const chunk = Buffer.alloc(length);
      await handle.read(chunk, 0, length, pos);
      data = Buffer.concat([chunk, data]);
      terminated ??= data[data.length - 1] === 0x0a;
      const body = terminated ? data.subarray(0, data.length - 1) : data;
      const nl = body.lastIndexOf(0x0a);
      if (nl >= 0 || pos === 0) return { line: body.subarray(nl + 1).toString('utf8'), terminated };
    }
    return undefined;
  } finally {
    await handle.close();
  }
}

async function readHead(path: string): Promise<AuditHead | undefined> {
  try {
    const value = JSON.parse(await readFile(path, 'utf8')) as Partial<AuditHead>;
    return typeof value.seq === 'number' && typeof value.hash === 'string'
      ? { seq: value.seq, hash: value.hash }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Appends to the audit log of one state directory. */
export class AuditLog {
  readonly #paths: ReturnType<typeof auditPaths>;
  /** Appends of this process, one after another; the lock file orders them among processes. */
  #chain: Promise<unknown> = Promise.resolve();
  /** Appends of this process queued or in progress. */
  #pending = 0;

  /** @param stateDir `chaos.stateDir` of the loaded config (absolute). */
  constructor(stateDir: string) {
    this.#paths = auditPaths(stateDir);
  }

  /**
   * Appends one entry durably: the promise resolves once the line is fsynced.
   *
   * @example await audit.append({ event: 'fault.apply', operator: 'alice', runId, call, outcome: 'ok' });
   */
  append(entry: AuditEntry): Promise<void> {
    if (!(AUDIT_EVENTS as readonly string[]).includes(entry.event)) {
      return Promise.reject(
        new CanaryError(ERROR_CODES.internal, `unknown audit event ${JSON.stringify(entry.event)}`),
      );
    }
    if (typeof entry.operator !== 'string' || entry.operator.trim() === '') {
      return Promise.reject(new CanaryError(ERROR_CODES.usage, `an audit entry (${entry.event}) needs an operator`));
    }
    this.#pending++;
    const run = this.#chain.then(() => this.#appendLocked(entry)).finally(() => this.#pending--);
    // One failed append must not block the ones queued behind it.
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #appendLocked(entry: AuditEntry): Promise<void> {
    const release = await acquireAuditLock(this.#paths.lock);
    try {
      const tail = await readTail(this.#paths.log);
      const seq = await this.#nextSeq(tail);
      const prev = tail === undefined ? GENESIS : sha256(tail.line);
      const { line } = formatLine(entry, { seq, prev, host: thisHost(), time: new Date().toISOString() });
      // A torn last line (crash mid-write) has no newline; ours must not be glued onto it.
      await appendLineDurable(this.#paths.log, tail !== undefined && !tail.terminated ? `\n${line}` : line);
      const head: AuditHead = { seq, hash: sha256(line) };
      await writeFileDurable(this.#paths.head, `${JSON.stringify(head)}\n`);
    } finally {
      await release();
      // Another process polling for the lock would never see it free if this one took it
      // back at once for its next queued entry: leave a short gap between our appends.
      if (this.#pending > 1) await sleep(Math.random() * 2);
    }
  }

  /**
   * The file is the log: the next seq follows its last line. Only when that line is not a
   * record (a torn write, garbage) does the head file say where the chain stood.
   */
  async #nextSeq(tail: Tail | undefined): Promise<number> {
    if (tail === undefined) return 0;
    const last = seqOf(tail.line);
    if (last !== undefined) return last + 1;
    const head = await readHead(this.#paths.head);
    if (head !== undefined) return head.seq + 1;
    throw new CanaryError(
      ERROR_CODES.state,
      `the last line of ${this.#paths.log} is not an audit record and ${this.#paths.head} is missing; run \`canary chaos audit verify\``,
    );
  }
}
