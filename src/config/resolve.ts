import { accessSync, constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Problem } from '../errors.js';
import type { CheckEntry } from './rules.js';
import type { ResolvedCheck, Schedule } from './types.js';
import { formatPath, positionAt } from './yaml.js';

/**
 * Applies `probes.defaults` and makes file paths absolute (relative to the file the check
 * was written in). A default timeout longer than the interval is cut to the interval, as
 * Prometheus does for scrape_timeout; a timeout written on the check was checked by the rules.
 */
export function resolveCheck(
  entry: CheckEntry,
  defaults: { interval: number; timeout: number },
): { check: ResolvedCheck; problems: Problem[] } {
  const { interval, schedule: cron, timeout, ...rest } = entry.check;
  const schedule: Schedule =
    cron !== undefined ? { kind: 'cron', expression: cron } : { kind: 'interval', everyMs: interval ?? defaults.interval };
  const timeoutMs = timeout ?? (schedule.kind === 'interval' ? Math.min(defaults.timeout, schedule.everyMs) : defaults.timeout);
  const base = dirname(entry.source.file);
  const problems: Problem[] = [];
  const tls = { ...rest.tls };
  for (const key of ['ca', 'cert', 'key'] as const) {
    const value = tls[key];
    if (value === undefined) continue;
    tls[key] = resolve(base, value);
    const missing = unreadable(tls[key]);
    if (missing) {
      const at = [...entry.path, 'tls', key];
      problems.push({ file: entry.source.file, ...positionAt(entry.source, at), path: formatPath(at), message: `cannot read ${value}: ${missing}` });
    }
  }
  const { line, col } = positionAt(entry.source, entry.path);
  return { check: { ...rest, tls, schedule, timeoutMs, source: { file: entry.source.file, line, col } }, problems };
}

function unreadable(path: string): string | undefined {
  try {
    accessSync(path, constants.R_OK);
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err);
  }
}
