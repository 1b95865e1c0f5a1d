import { accessSync, constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Problem } from '../errors.js';
import type { ParsedAgentConfig } from './schema/agent.js';
import type { ParsedCheck } from './schema/check.js';
import type { TlsOptions } from './schema/http.js';
import type { CheckEntry, ResolvedCheck, RetryPolicy, Schedule } from './types.js';
import { formatPath, positionAt } from './yaml.js';

/** `probes.defaults`, as parsed: what a check leaves out. */
export type CheckDefaults = ParsedAgentConfig['probes']['defaults'];

/** A check's `retries` with each key it leaves out taken from `probes.defaults.retries`. */
export function resolveRetries(written: ParsedCheck['retries'], defaults: CheckDefaults['retries']): RetryPolicy {
  return { count: written?.count ?? defaults.count, backoffMs: written?.backoff ?? defaults.backoff };
}

/**
 * Applies `probes.defaults` and makes file paths absolute (relative to the file the check
 * was written in). A default timeout longer than the interval is cut to the interval, as
 * Prometheus does for scrape_timeout; a timeout written on the check was checked by the rules,
 * and so were retries that would not fit in the interval.
 */
export function resolveCheck(
  entry: CheckEntry,
  defaults: CheckDefaults,
): { check: ResolvedCheck; problems: Problem[] } {
  const { interval, schedule: cron, timeout, retries: written, ...rest } = entry.check;
  const retries = resolveRetries(written, defaults.retries);
  const schedule: Schedule =
    cron !== undefined
      ? { kind: 'cron', expression: cron }
      : { kind: 'interval', everyMs: interval ?? defaults.interval };
  const timeoutMs =
    timeout ?? (schedule.kind === 'interval' ? Math.min(defaults.timeout, schedule.everyMs) : defaults.timeout);
  const base = dirname(entry.source.file);
  const problems: Problem[] = [];
  // Kinds without TLS (dns) have no `tls` key to resolve.
  const files: { tls?: TlsOptions } = 'tls' in rest ? { tls: { ...rest.tls } } : {};
  const tls: Partial<TlsOptions> = files.tls ?? {};
  for (const key of ['ca', 'cert', 'key'] as const) {
    const value = tls[key];
    if (value === undefined) continue;
    tls[key] = resolve(base, value);
    const missing = unreadable(tls[key]);
    if (missing) {
      const at = [...entry.path, 'tls', key];
      problems.push({
        file: entry.source.file,
        ...positionAt(entry.source, at),
        path: formatPath(at),
        message: `cannot read ${value}: ${missing}`,
      });
    }
  }
  const { line, col } = positionAt(entry.source, entry.path);
  return {
    check: { ...rest, ...files, retries, schedule, timeoutMs, source: { file: entry.source.file, line, col } },
    problems,
  };
}

function unreadable(path: string): string | undefined {
  try {
    accessSync(path, constants.R_OK);
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err);
  }
}
