/**
 * Checks an audit log's hash chain and its head file (`canary chaos audit verify`).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AUDIT_EVENTS, GENESIS, recordHash, sha256 } from './audit-format.js';
import { errnoCode } from './process.js';

/** What {@link verify} found. */
export interface AuditVerification {
  /** No problem at all. */
  ok: boolean;
  /** Lines in the log. */
  lines: number;
  /** 1-based line numbers; the head file's problems name the last line. */
  problems: { line: number; message: string }[];
}

/** Where the chain stands after a line. */
interface ChainState {
  /** Seq the next line must have. */
  seq: number;
  /** `prev` the next line must have. */
  prev: string;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Problems of one line; advances `state` past it. */
function checkLine(text: string, state: ChainState): string[] {
  const expectedPrev = state.prev;
  state.prev = sha256(text);
  const record = parseObject(text);
  if (record === undefined) return ['not a JSON object'];
  const problems: string[] = [];
  if (typeof record.hash !== 'string' || record.hash !== recordHash(record))
    problems.push('hash does not match the line (line edited)');
  if (record.seq !== state.seq) {
    problems.push(
      `seq is ${JSON.stringify(record.seq)}, expected ${state.seq} (a line removed, inserted or reordered)`,
    );
  }
  if (record.prev !== expectedPrev)
    problems.push('prev does not match the previous line (a line removed, inserted, reordered or edited)');
  if (!(AUDIT_EVENTS as readonly unknown[]).includes(record.event))
    problems.push(`unknown event ${JSON.stringify(record.event)}`);
  for (const key of ['time', 'host', 'operator'])
    if (typeof record[key] !== 'string') problems.push(`${key} is missing`);
  // Continue from what the line says, so one removed line is reported once, not on every later line.
  state.seq = (typeof record.seq === 'number' ? record.seq : state.seq) + 1;
  return problems;
}

/** The head must name the last line: removing that line leaves no other trace. */
function checkHead(headText: string | undefined, lines: string[], lastSeq: number): string | undefined {
  if (headText === undefined) return lines.length === 0 ? undefined : 'audit.head is missing';
  const head = parseObject(headText);
  if (head === undefined || typeof head.seq !== 'number' || typeof head.hash !== 'string')
    return 'audit.head is not a head record';
  if (lines.length === 0) return `the log is empty or missing but audit.head names seq ${head.seq}`;
  const last = lines[lines.length - 1] ?? '';
  if (head.seq !== lastSeq || head.hash !== sha256(last)) {
    return head.seq > lastSeq
      ? `audit.head names seq ${head.seq} but the last line is seq ${lastSeq} (lines removed from the end)`
      : `audit.head names seq ${head.seq} but the last line is seq ${lastSeq} (the last line changed, or appended without updating the head)`;
  }
  return undefined;
}

/**
 * Verifies `<stateDir>/audit.jsonl` against its hash chain and `audit.head`: lines that
 * are not JSON, hashes that do not match (edited lines), `prev`s that do not match
 * (removed or reordered lines), seq gaps, and a head that disagrees with the last line.
 *
 * @example
 * const { ok, problems } = await verify(stateDir);
 * for (const p of problems) console.error(`audit.jsonl:${p.line}: ${p.message}`);
 */
export async function verify(stateDir: string): Promise<AuditVerification> {
  const text = (await readOptional(join(stateDir, 'audit.jsonl'))) ?? '';
  const headText = await readOptional(join(stateDir, 'audit.head'));
  const terminated = text.endsWith('\n');
  const lines = text === '' ? [] : (terminated ? text.slice(0, -1) : text).split('\n');
  const problems: AuditVerification['problems'] = [];
  const state: ChainState = { seq: 0, prev: GENESIS };
  lines.forEach((line, i) => {
    for (const message of checkLine(line, state)) problems.push({ line: i + 1, message });
  });
  if (!terminated && lines.length > 0)
    problems.push({ line: lines.length, message: 'the last line has no newline (a torn write?)' });
  const headProblem = checkHead(headText, lines, state.seq - 1);
  if (headProblem !== undefined) problems.push({ line: lines.length, message: headProblem });
  return { ok: problems.length === 0, lines: lines.length, problems };
}
