import { validateDetailed } from 'node-cron';
import { displayPath, type Problem } from '../errors.js';
import { resolveRetries, type CheckDefaults } from './resolve.js';
import { worstRunMs } from './schema/base.js';
import { formatDuration } from './units.js';
import type { CheckEntry } from './types.js';
import { formatPath, positionAt } from './yaml.js';

export type { CheckEntry };

function problemAt(entry: CheckEntry, key: string, message: string): Problem {
  const at = [...entry.path, key];
  return { file: entry.source.file, ...positionAt(entry.source, at, true), path: formatPath(at), message };
}

/**
 * Rules that span fields or files. They sit beside the schema and name both fields, so
 * the message says what to change without reading the docs.
 */
export function checkRules(entries: readonly CheckEntry[], defaults: CheckDefaults): Problem[] {
  return [
    ...uniqueNames(entries),
    ...entries.flatMap((e) => [...scheduleRules(e, defaults), ...retryRules(e, defaults)]),
  ];
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

function scheduleRules(entry: CheckEntry, defaults: CheckDefaults): Problem[] {
  const { interval, schedule, timeout } = entry.check;
  const problems: Problem[] = [];
  if (interval !== undefined && schedule !== undefined) {
    problems.push(problemAt(entry, 'schedule', 'cannot be combined with interval: set one of interval or schedule'));
  }
  if (schedule !== undefined) {
    const result = validateDetailed(schedule);
    if (!result.valid) {
      const why = result.errors
        .map((e) =>
          e.field === 'expression' ? e.message : `${e.field} field "${e.value ?? ''}" is out of range or malformed`,
        )
        .join('; ');
      problems.push(problemAt(entry, 'schedule', `invalid cron expression "${schedule}": ${why}`));
    }
  }
  const every = schedule === undefined ? (interval ?? defaults.interval) : undefined;
  if (timeout !== undefined && every !== undefined && timeout > every) {
    problems.push(
      problemAt(
        entry,
        'timeout',
        `timeout (${formatDuration(timeout)}) must not exceed interval (${formatDuration(every)})`,
      ),
    );
  }
  return problems;
}

/**
 * A run must end before the next one is due, or the next one is skipped: every attempt
 * timing out plus every backoff must fit in the interval. Cron checks have no fixed
 * interval; their runs are bounded by that same worst case instead.
 */
function retryRules(entry: CheckEntry, defaults: CheckDefaults): Problem[] {
  const { interval, schedule, timeout } = entry.check;
  if (schedule !== undefined) return [];
  const every = interval ?? defaults.interval;
  const timeoutMs = timeout ?? Math.min(defaults.timeout, every);
  const retries = resolveRetries(entry.check.retries, defaults.retries);
  // A timeout over the interval is already reported by scheduleRules.
  if (retries.count === 0 || timeoutMs > every) return [];
  const worst = worstRunMs(timeoutMs, retries);
  if (worst <= every) return [];
  const attempts = retries.count + 1;
  const message =
    `${attempts} attempts of timeout (${formatDuration(timeoutMs)}) plus ${formatDuration(worst - attempts * timeoutMs)} of retries.backoff ` +
    `can take ${formatDuration(worst)}, more than interval (${formatDuration(every)}): lower retries.count, retries.backoff or timeout, or raise interval`;
  // Point at the first of the fields written on the check; all from probes.defaults: at the check.
  const key = (['retries', 'interval', 'timeout'] as const).find((k) => entry.check[k] !== undefined);
  if (key) return [problemAt(entry, key, message)];
  return [{ file: entry.source.file, ...positionAt(entry.source, entry.path), path: formatPath(entry.path), message }];
}
