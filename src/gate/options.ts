/**
 * The gate's flags, their defaults and bounds, in one place. The command passes the raw
 * strings commander collected; the schema turns them into numbers or names the flag.
 */
import { z } from 'zod';
import { duration } from '../config/schema/common.js';
import { formatDuration } from '../config/units.js';
import { baseUrlProblem } from './target-override.js';

/** Defaults of the optional flags, as a user would type them (also shown in --help). */
export const GATE_DEFAULTS = {
  interval: '1s',
  minSuccessRatio: '0.99',
  maxP95: '500ms',
} as const;

/** Bounds that keep a gate from hammering a fresh deployment or holding a pipeline all day. */
export const GATE_LIMITS = {
  maxRuns: 10_000,
  minIntervalMs: 10,
  maxIntervalMs: 5 * 60_000,
  minDurationMs: 100,
  maxDurationMs: 6 * 3_600_000,
} as const;

function bounded(min: number, max: number) {
  return duration().refine(
    (ms) => ms >= min && ms <= max,
    `must be between ${formatDuration(min)} and ${formatDuration(max)}`,
  );
}

const runs = z
  .string()
  .regex(/^\d+$/, 'must be a whole number')
  .transform(Number)
  .refine((n) => n >= 1 && n <= GATE_LIMITS.maxRuns, `must be between 1 and ${GATE_LIMITS.maxRuns}`);

const ratio = z
  .string()
  .regex(/^(?:0|1|0?\.\d+|1\.0*)$/, 'must be a number between 0 and 1, e.g. 0.99')
  .transform(Number);

const baseUrl = z
  .string()
  .superRefine((text, ctx) => {
    const problem = baseUrlProblem(text);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform((text) => new URL(text));

/** What the gate runs and how it judges; raw flag values in, numbers (ms, ratios) out. */
export const gateOptionsSchema = z
  .strictObject({
    baseUrl,
    runs: runs.optional(),
    duration: bounded(GATE_LIMITS.minDurationMs, GATE_LIMITS.maxDurationMs).optional(),
    interval: bounded(GATE_LIMITS.minIntervalMs, GATE_LIMITS.maxIntervalMs).prefault(GATE_DEFAULTS.interval),
    minSuccessRatio: ratio.prefault(GATE_DEFAULTS.minSuccessRatio),
    maxP95: duration({ min: 1 }).prefault(GATE_DEFAULTS.maxP95),
  })
  .refine((o) => (o.runs === undefined) !== (o.duration === undefined), {
    message: 'give exactly one of --runs N or --duration D',
    path: ['runs'],
  });

/** Parsed gate options: durations in ms. */
export type GateOptions = z.output<typeof gateOptionsSchema>;

/** The flag each schema key came from, so a message names what the user typed. */
const FLAGS: Record<string, string> = {
  baseUrl: '--base-url',
  runs: '--runs',
  duration: '--duration',
  interval: '--interval',
  minSuccessRatio: '--min-success-ratio',
  maxP95: '--max-p95',
};

/**
 * Parses the raw flags; returns the options or every problem as `--flag: message`.
 *
 * @example
 * parseGateOptions({ baseUrl: 'http://10.0.0.7:8080', runs: '10' })
 * // { ok: true, options: { runs: 10, interval: 1000, minSuccessRatio: 0.99, maxP95: 500, ... } }
 */
export function parseGateOptions(
  raw: Record<string, string | undefined>,
): { ok: true; options: GateOptions } | { ok: false; problems: string[] } {
  const defined = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
  const parsed = gateOptionsSchema.safeParse(defined);
  if (parsed.success) return { ok: true, options: parsed.data };
  const problems = parsed.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '');
    // The runs/duration rule names both flags itself.
    return issue.code === 'custom' && key === 'runs' && issue.message.includes('--')
      ? issue.message
      : `${FLAGS[key] ?? key}: ${issue.message}`;
  });
  return { ok: false, problems };
}
