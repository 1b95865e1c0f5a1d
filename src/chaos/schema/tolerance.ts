import { z } from 'zod';
import { duration } from '../../config/schema/common.js';
import { parseDuration } from '../../config/units.js';
import type { Comparison, Tolerance } from '../model/experiment.js';

const COMPARISON = /^(<=|>=|==|<|>)\s*(\S+)$/;
const OPERATORS = 'an operator (<, <=, >, >=, ==)';
const RATIO_MESSAGE = `must be a comparison such as ">= 0.99" or ">= 99%": ${OPERATORS} and a ratio from 0 to 1 or a percentage`;
const LATENCY_MESSAGE = `must be a comparison such as "< 300ms" or "<= 1.5s": ${OPERATORS} and a duration`;

/** A ratio as written: `0.99` or `99%`; undefined when it is neither or lies outside 0..1. */
function parseRatio(text: string): number | undefined {
  const percent = text.endsWith('%');
  const number = Number(percent ? text.slice(0, -1) : text);
  if (text === '' || text === '%' || !Number.isFinite(number)) return undefined;
  const ratio = percent ? number / 100 : number;
  return ratio >= 0 && ratio <= 1 ? ratio : undefined;
}

/** A latency as written (`300ms`, `1.5s`), in seconds: the unit of `probe_duration_seconds`. */
function parseSeconds(text: string): number | undefined {
  const ms = parseDuration(text);
  return ms === undefined ? undefined : ms / 1000;
}

function comparison(parse: (value: string) => number | undefined, message: string, example: string) {
  return z
    .string({ error: message })
    .transform((raw, ctx): Comparison => {
      const text = raw.trim();
      const match = COMPARISON.exec(text);
      const value = match ? parse(match[2] as string) : undefined;
      if (!match || value === undefined) {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
      return { op: match[1] as Comparison['op'], value, text };
    })
    .meta({ description: `A comparison: operator and value, e.g. "${example}".` });
}

/** `>= 0.99` or `>= 99%`: the value is kept as a fraction. */
export const ratioComparison = comparison(parseRatio, RATIO_MESSAGE, '>= 0.99');

/** `< 300ms`: the value is kept in seconds. */
export const latencyComparison = comparison(parseSeconds, LATENCY_MESSAGE, '< 300ms');

/** One entry of `steadyState` or `abortWhen`. */
export const toleranceSchema = z
  .strictObject({
    check: z.string().min(1).meta({ description: 'Name of a check of the agent config.' }),
    successRatio: ratioComparison.optional(),
    p50: latencyComparison.optional(),
    p95: latencyComparison.optional(),
    p99: latencyComparison.optional(),
    window: duration({ min: 1 }).prefault('30s').meta({ description: 'How far back results are judged.' }),
    minSamples: z
      .int()
      .min(1)
      .default(3)
      .meta({ description: 'Results needed in the window before the entry can be judged.' }),
  })
  .refine((t) => [t.successRatio, t.p50, t.p95, t.p99].some((c) => c !== undefined), {
    message: 'needs at least one of successRatio, p50, p95 or p99',
  })
  .transform(({ window, ...rest }): Tolerance => dropUndefined({ ...rest, windowMs: window }))
  .meta({ description: 'A check, a window, and comparisons that must all be true for the entry to hold.' });

/** Copies an object without its undefined keys, so resolved data compares and serialises cleanly. */
export function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
