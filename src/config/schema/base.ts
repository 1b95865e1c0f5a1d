import { z } from 'zod';
import { duration, labels } from './common.js';

/** Most retries a check may make: ten retries already wait 1023 × backoff in all. */
export const MAX_RETRIES = 10;

/** How many times a failed attempt is retried before the run counts as failed. */
export const retryCount = z.int().min(0).max(MAX_RETRIES);

/** The wait before the first retry; it doubles before each further one. */
export const retryBackoff = duration();

/**
 * A check's own `retries`. Each key left out comes from `probes.defaults.retries`, so a
 * check can change only `count` and keep the agent's backoff.
 */
export const checkRetries = z
  .strictObject({
    count: retryCount.optional().meta({ description: `Retries of a failed attempt (0-${MAX_RETRIES}); default probes.defaults.retries.count.` }),
    backoff: retryBackoff.optional().meta({ description: 'Wait before the first retry, doubled before each next one; default probes.defaults.retries.backoff.' }),
  })
  .meta({
    description:
      'Retry a failed attempt before the run counts as failed: the first success ends the run as ok; every attempt is counted in canary_probe_attempts_total.',
  });

/**
 * The longest a run of `count + 1` attempts can take: every attempt timing out, plus the
 * backoffs between them (`backoff`, `2 × backoff`, ... doubled before each retry).
 */
export function worstRunMs(timeoutMs: number, retries: { count: number; backoffMs: number }): number {
  return timeoutMs * (retries.count + 1) + retries.backoffMs * (2 ** retries.count - 1);
}

/** Fields every check has, whatever its kind. */
export const checkBase = {
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, 'must start with a letter or digit and use only letters, digits, _ . : -')
    .max(128),
  target: z.string().min(1),
  interval: duration({ min: 100, minText: '100ms' }).optional().meta({ description: 'Run every interval; default probes.defaults.interval.' }),
  schedule: z.string().optional().meta({ description: 'Cron expression (5 or 6 fields, seconds allowed) instead of an interval.' }),
  timeout: duration({ min: 1 }).optional().meta({ description: 'Per-attempt timeout; default probes.defaults.timeout.' }),
  retries: checkRetries.optional(),
  labels: labels(),
  enabled: z.boolean().default(true),
};

const HOST_PORT_MESSAGE = 'must be HOST:PORT, e.g. db.example.com:5432 or [2001:db8::1]:443';

/** Splits `host:port` / `[v6]:port`; undefined when it is not one. */
export function splitHostPort(value: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]/]+)):(\d{1,5})$/.exec(value);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: (match[1] ?? match[2]) as string, port };
}

/** The target of a socket-level check (tcp, tls, grpc): `host:port`, an IPv6 address in brackets. */
export const hostPortTarget = z.string().refine((value) => splitHostPort(value) !== undefined, HOST_PORT_MESSAGE);

/** Address families a probe may prefer when a name has both. */
export const ipFamily = z
  .enum(['auto', 'ipv4', 'ipv6'])
  .default('auto')
  .meta({ description: 'Which address family to prefer when a name has both; auto keeps the resolver order.' });
