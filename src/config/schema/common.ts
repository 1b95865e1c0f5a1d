import { z } from 'zod';
import { regexProblem } from '../safe-regex.js';
import { parseDuration, parseSize, DURATION_PATTERN } from '../units.js';

const DURATION_MESSAGE = 'must be a duration with a unit, such as 500ms, 30s, 5m, 1h or 14d';

/** A duration string in the config; parsed to milliseconds. */
export function duration(opts: { min?: number; minText?: string } = {}) {
  return z
    .string({ error: DURATION_MESSAGE })
    .regex(DURATION_PATTERN, DURATION_MESSAGE)
    .transform((text, ctx) => {
      const ms = parseDuration(text) as number;
      if (opts.min !== undefined && ms < opts.min) {
        ctx.addIssue({ code: 'custom', message: `must be at least ${opts.minText ?? `${opts.min}ms`}` });
        return z.NEVER;
      }
      return ms;
    })
    .meta({ description: 'Duration: a number with a unit (ms, s, m, h, d, w), e.g. 500ms, 30s, 1m30s.' });
}

/** A size in the config: bytes as a number, or a string like `1MiB`; parsed to bytes. */
export function size(limit?: { max: number; maxText: string; why: string }) {
  return z
    .union([z.int().min(0), z.string()])
    .transform((value, ctx) => {
      const bytes = parseSize(value);
      if (bytes === undefined) {
        ctx.addIssue({ code: 'custom', message: 'must be a size such as 65536, 512KiB or 1MiB' });
        return z.NEVER;
      }
      if (limit && bytes > limit.max) {
        ctx.addIssue({ code: 'custom', message: `must be at most ${limit.maxText} (${limit.why})` });
        return z.NEVER;
      }
      return bytes;
    })
    .meta({ description: 'Size in bytes: a number, or a string with a unit (KiB, MiB, KB, MB).' });
}

/** Prometheus label names we add ourselves; users may not reuse them. */
export const RESERVED_LABELS = ['check', 'kind', 'region', 'phase', 'result', 'reason', 'le', 'version', 'step'];

/** A map of extra labels; names must be valid Prometheus label names and not reserved. */
export function labels() {
  return z
    .record(
      z
        .string()
        .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'label names must match [a-zA-Z_][a-zA-Z0-9_]*')
        .refine((name) => !name.startsWith('__'), 'label names starting with __ are reserved by Prometheus')
        .refine((name) => !RESERVED_LABELS.includes(name), {
          message: `label name is reserved (${RESERVED_LABELS.join(', ')})`,
        }),
      z.string(),
    )
    .default({});
}

/** A regular expression written as a string; checked to compile and against catastrophic backtracking. */
export function regex() {
  return z.string().superRefine((source, ctx) => {
    const problem = regexProblem(source);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });
}
