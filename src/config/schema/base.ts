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
    count: retryCount
      .optional()
      .meta({ description: `Retries of a failed attempt (0-${MAX_RETRIES}); default probes.defaults.retries.count.` }),
    backoff: retryBackoff.optional().meta({
      description:
        'Wait before the first retry, doubled before each next one; default probes.defaults.retries.backoff.',
    }),
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

/** Why an objective is refused: the two spellings it may take. */
const OBJECTIVE_MESSAGE = 'must be a ratio such as 0.999 or a percentage such as 99.9%';

/**
 * An SLO objective as written, `99.9%` or `0.999`, parsed to a ratio. A percentage moves
 * the decimal point in the text (`99.9e-2`) rather than dividing, so 99.9% is exactly the
 * number 0.999 and the generated alert rules read as written.
 */
export const sloObjective = z
  // Worded as the loader words a missing key elsewhere.
  .union([z.number(), z.string()], {
    error: (issue) => (issue.input === undefined ? 'is required' : OBJECTIVE_MESSAGE),
  })
  .transform((value, ctx) => {
    const text = String(value).trim();
    const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(text);
    const ratio = match ? Number(match[2] ? `${match[1]}e-2` : match[1]) : Number.NaN;
    if (Number.isNaN(ratio)) {
      ctx.addIssue({ code: 'custom', message: OBJECTIVE_MESSAGE });
      return z.NEVER;
    }
    if (ratio <= 0 || ratio >= 1) {
      // 100% leaves no error budget to burn; 0% is no objective at all.
      ctx.addIssue({ code: 'custom', message: 'must be strictly between 0 and 1 (0% and 100%), e.g. 0.999 or 99.9%' });
      return z.NEVER;
    }
    return ratio;
  })
  .meta({
    description: 'Share of runs that must succeed: a ratio (0.999) or a percentage (99.9%), strictly between 0 and 1.',
  });

/** A check's service level objective; `canary rules generate` turns it into burn-rate alerts. */
export const sloSchema = z
  .strictObject({
    objective: sloObjective,
    window: duration({ min: 86_400_000, minText: '1d' })
      .prefault('30d')
      .meta({ description: 'The SLO window the error budget is spent over; at least 1d, default 30d.' }),
  })
  .meta({
    description:
      'Service level objective of the check: exported as canary_slo_objective_ratio and canary_slo_window_seconds; `canary rules generate` writes multi-window burn-rate alerts from it.',
  });

/** A parsed SLO: `objective` a ratio, `window` in milliseconds. */
export type CheckSlo = z.output<typeof sloSchema>;

/**
 * How many series a check exports: `basic` keeps what SLOs, the shipped alerts and the
 * dashboard need; `full` adds blackbox's breakdowns (phases, status, TLS version, ...)
 * and the duration histogram.
 */
export const metricsLevel = z.enum(['full', 'basic']);

/** Fields every check has, whatever its kind. */
export const checkBase = {
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, 'must start with a letter or digit and use only letters, digits, _ . : -')
    .max(128),
  target: z.string().min(1),
  interval: duration({ min: 100, minText: '100ms' })
    .optional()
    .meta({ description: 'Run every interval; default probes.defaults.interval.' }),
  schedule: z
    .string()
    .optional()
    .meta({ description: 'Cron expression (5 or 6 fields, seconds allowed) instead of an interval.' }),
  timeout: duration({ min: 1 })
    .optional()
    .meta({ description: 'Per-attempt timeout; default probes.defaults.timeout.' }),
  retries: checkRetries.optional(),
  labels: labels(),
  enabled: z.boolean().default(true),
  slo: sloSchema.optional(),
  metrics: metricsLevel.optional().meta({
    description:
      'Series this check exports: basic or full; default exporters.prometheus.metrics. See docs/metrics.md, Capacity.',
  }),
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

/** Whether a probe falls back to the other family when the preferred one has no address. */
export const ipFallback = z
  .boolean()
  .default(true)
  .meta({ description: 'Use the other family when the preferred one has no address.' });
