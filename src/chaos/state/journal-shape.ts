import type { RunStatus } from '../model/journal.js';

const STATUSES: ReadonlySet<string> = new Set<RunStatus>([
  'running',
  'completed',
  'deviated',
  'aborted',
  'interrupted',
  'failed',
]);
const STRINGS = ['runId', 'experiment', 'file', 'host', 'operator', 'startedAt'] as const;
const LISTS = ['steps', 'rollbacks', 'faults', 'rollbackPlan'] as const;

/** Run ids are file names: letters, digits, `_`, `-`, `.`, not starting with a dot. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/;

/**
 * Why `value` is not a journal the store can work with, or undefined when it is. Checks
 * the fields the store and recovery rely on (identity, owner, status, fault lists), not
 * every nested field: the journal is written by this program and read back by it.
 */
export function journalProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const j = value as Record<string, unknown>;
  if (j.version !== 1) return `unsupported journal version ${JSON.stringify(j.version)}`;
  for (const key of STRINGS) if (typeof j[key] !== 'string') return `${key} must be a string`;
  if (!RUN_ID_PATTERN.test(j.runId as string)) return `runId ${JSON.stringify(j.runId)} is not a valid run id`;
  if (Number.isNaN(Date.parse(j.startedAt as string))) return `startedAt ${JSON.stringify(j.startedAt)} is not a date`;
  if (j.endedAt !== undefined && (typeof j.endedAt !== 'string' || Number.isNaN(Date.parse(j.endedAt))))
    return 'endedAt must be a date';
  if (typeof j.pid !== 'number' || !Number.isSafeInteger(j.pid) || j.pid <= 0) return 'pid must be a positive integer';
  if (j.startTicks !== undefined && (typeof j.startTicks !== 'number' || !Number.isSafeInteger(j.startTicks)))
    return 'startTicks must be an integer';
  if (j.bootId !== undefined && typeof j.bootId !== 'string') return 'bootId must be a string';
  if (typeof j.status !== 'string' || !STATUSES.has(j.status)) return `unknown status ${JSON.stringify(j.status)}`;
  if (typeof j.deviated !== 'boolean') return 'deviated must be true or false';
  for (const key of LISTS) if (!Array.isArray(j[key])) return `${key} must be a list`;
  return undefined;
}
