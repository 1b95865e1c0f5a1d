import { validateDetailed } from 'node-cron';
import { displayPath, type Problem } from '../errors.js';
import type { ParsedCheck } from './schema/check.js';
import { formatDuration } from './units.js';
import { formatPath, positionAt, type YamlSource } from './yaml.js';

/** A parsed check and where it was written, so cross-field problems can point at it. */
export interface CheckEntry {
  check: ParsedCheck;
  source: YamlSource;
  /** Key path of the check inside its file, e.g. `['checks', 3]`. */
  path: (string | number)[];
}

function problemAt(entry: CheckEntry, key: string, message: string): Problem {
  const at = [...entry.path, key];
  return { file: entry.source.file, ...positionAt(entry.source, at, true), path: formatPath(at), message };
}

/**
 * Rules that span fields or files. They sit beside the schema and name both fields, so
 * the message says what to change without reading the docs.
 */
export function checkRules(entries: readonly CheckEntry[], defaults: { interval: number }): Problem[] {
  return [...uniqueNames(entries), ...entries.flatMap((e) => scheduleRules(e, defaults))];
}

function uniqueNames(entries: readonly CheckEntry[]): Problem[] {
  const first = new Map<string, Problem>();
  const problems: Problem[] = [];
  for (const entry of entries) {
    const here = problemAt(entry, 'name', '');
    const seen = first.get(entry.check.name);
    if (!seen) {
      first.set(entry.check.name, here);
      continue;
    }
    const firstAt = `${displayPath(seen.file)}:${seen.line}:${seen.col}`;
    problems.push({ ...here, message: `duplicate check name "${entry.check.name}", first defined at ${firstAt}` });
  }
  return problems;
}

function scheduleRules(entry: CheckEntry, defaults: { interval: number }): Problem[] {
  const { interval, schedule, timeout } = entry.check;
  const problems: Problem[] = [];
  if (interval !== undefined && schedule !== undefined) {
    problems.push(problemAt(entry, 'schedule', 'cannot be combined with interval: set one of interval or schedule'));
  }
  if (schedule !== undefined) {
    const result = validateDetailed(schedule);
    if (!result.valid) {
      const why = result.errors
        .map((e) => (e.field === 'expression' ? e.message : `${e.field} field "${e.value ?? ''}" is out of range or malformed`))
        .join('; ');
      problems.push(problemAt(entry, 'schedule', `invalid cron expression "${schedule}": ${why}`));
    }
  }
  const every = schedule === undefined ? (interval ?? defaults.interval) : undefined;
  if (timeout !== undefined && every !== undefined && timeout > every) {
    problems.push(
      problemAt(entry, 'timeout', `timeout (${formatDuration(timeout)}) must not exceed interval (${formatDuration(every)})`),
    );
  }
  return problems;
}
