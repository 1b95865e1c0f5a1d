/**
 * The audit log's line format and hash chain. Each line is one JSON object:
 *
 *   {"seq":0,"time":"…","host":"…","event":"run.start","operator":"…",…,"prev":"<64 hex>","hash":"<64 hex>"}
 *
 * - `prev` is the SHA-256 (hex) of the previous line's exact text, without its newline
 *   (64 zeros on the first line). Removing, inserting or reordering a line breaks it.
 * - `hash` is the SHA-256 (hex) of the line's canonical JSON without the `hash` field
 *   ({@link canonicalJson}: keys sorted, no whitespace, undefined fields left out).
 *   Editing any field breaks it, whatever key order or spacing the editor leaves.
 * - `<stateDir>/audit.head` holds `{seq, hash}` of the last line, `hash` being the
 *   SHA-256 of its exact text (the `prev` the next line will carry): removing the last
 *   line, which no later line would notice, is caught there.
 *
 * The chain makes edits evident; it is not a signature. Someone who can rewrite the whole
 * file and the head can forge a consistent log: ship the log off the host for that.
 */
import { createHash } from 'node:crypto';
import { hashSecretsDeep } from '../../secrets/redact.js';
import type { Call } from '../model/calls.js';

/** What can happen in a chaos run that the audit log records. */
export const AUDIT_EVENTS = [
  'run.start',
  'run.end',
  'fault.apply',
  'fault.revert',
  'rollback',
  'halt',
  'resume',
  'approval',
  'recover',
  'refused',
] as const;
export type AuditEvent = (typeof AUDIT_EVENTS)[number];

/** One thing to record: who did what, and the exact command. */
export interface AuditEntry {
  event: AuditEvent;
  /** Who: the operator who started or approved it, or the agent's identity for scheduled runs. */
  operator: string;
  experiment?: string;
  runId?: string;
  /** The exact argv, URL or signal. */
  call?: Call;
  /** `ok`, `failed`, `completed`, … */
  outcome?: string;
  detail?: string;
}

/** A line as written: the entry plus its place in the chain. */
export interface AuditRecord extends AuditEntry {
  /** 0-based position in the log. */
  seq: number;
  /** ISO 8601. */
  time: string;
  host: string;
  prev: string;
  hash: string;
}

/** The content of `audit.head`. */
export interface AuditHead {
  seq: number;
  /** SHA-256 (hex) of the last line's exact text. */
  hash: string;
}

/** `prev` of the first line. */
export const GENESIS = '0'.repeat(64);

/** SHA-256 of a string's UTF-8 bytes, hex. */
export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no whitespace, fields whose
 * value is undefined left out (as JSON.stringify does), strings and numbers as
 * JSON.stringify writes them. Equal data always gives the same text.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value))
    return `[${value.map((v: unknown) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The `hash` a record must carry: over everything but `hash` itself. */
export function recordHash(record: Record<string, unknown>): string {
  const { hash: _hash, ...rest } = record;
  return sha256(canonicalJson(rest));
}

/** Builds the record and its line text (fields in reading order; the hash does not depend on it). */
export function formatLine(
  entry: AuditEntry,
  place: { seq: number; prev: string; host: string; time: string },
): { record: AuditRecord; line: string } {
  const body = {
    seq: place.seq,
    time: place.time,
    host: place.host,
    event: entry.event,
    operator: entry.operator,
    experiment: entry.experiment,
    runId: entry.runId,
    // Secret values are kept as a hash: the log is read by many and kept for years.
    call: hashSecretsDeep(entry.call),
    outcome: entry.outcome,
    detail: hashSecretsDeep(entry.detail),
    prev: place.prev,
  };
  const record: AuditRecord = { ...body, hash: recordHash(body) };
  return { record, line: JSON.stringify(record) };
}

/** The seq of a line's text, if it is a record with one. */
export function seqOf(line: string): number | undefined {
  try {
    const value = JSON.parse(line) as { seq?: unknown };
    return typeof value.seq === 'number' && Number.isSafeInteger(value.seq) && value.seq >= 0 ? value.seq : undefined;
  } catch {
    return undefined;
  }
}
