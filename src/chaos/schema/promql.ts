import { z } from 'zod';
import { duration } from '../../config/schema/common.js';
import type { PromqlEntry, Tolerance } from '../model/experiment.js';
import { EXPECT_MESSAGE, parseExpect } from '../promql/expect.js';
import { dropUndefined, toleranceSchema } from './tolerance.js';

/**
 * Past this age an answer describes the past: two missed evaluations, plus 30 s for the
 * clocks of the runner and of Prometheus to disagree (NTP keeps them far closer).
 */
const staleAfterDefault = (everyMs: number): number => 2 * everyMs + 30_000;

const expectSchema = z
  .string({ error: EXPECT_MESSAGE })
  .transform((raw, ctx) => {
    const parsed = parseExpect(raw);
    if (parsed === undefined) {
      ctx.addIssue({ code: 'custom', message: EXPECT_MESSAGE });
      return z.NEVER;
    }
    return parsed;
  })
  .meta({ description: 'What every series of the answer must meet, e.g. "> 0.99".' });

/** One PromQL entry of `steadyState` or `abortWhen`. */
export const promqlEntrySchema = z
  .strictObject({
    promql: z.string().trim().min(1).meta({ description: 'An instant query, evaluated on chaos.prometheus.' }),
    expect: expectSchema.optional(),
    every: duration({ min: 1000, minText: '1s' })
      .prefault('5s')
      .meta({ description: 'How often it is evaluated while waited for or watched.' }),
    staleAfter: duration({ min: 1000, minText: '1s' })
      .optional()
      .meta({ description: 'An older answer does not hold; default twice `every` plus 30s.' }),
  })
  .transform(({ every, staleAfter, ...rest }): PromqlEntry =>
    dropUndefined({ ...rest, everyMs: every, staleAfterMs: staleAfter ?? staleAfterDefault(every) }),
  )
  .meta({
    description:
      'Holds when the answer is fresh, not empty, and every series meets expect (without expect: a comparison inside the query, non-empty = holds).',
  });

/** An entry of `steadyState` or `abortWhen`: a check judged from the agent's results, or a PromQL query. */
export const hypothesisEntrySchema = z.union([toleranceSchema, promqlEntrySchema]);

type Entry = z.output<typeof hypothesisEntrySchema>;
const isPromql = (e: Entry): e is PromqlEntry => 'promql' in e;

/** The lists as the runner reads them: check-based entries where they were, PromQL ones apart. */
export function splitHypothesis(
  steadyState: Entry[],
  abortWhen: Entry[],
): {
  steadyState: Tolerance[];
  abortWhen: Tolerance[];
  promql?: { steadyState: PromqlEntry[]; abortWhen: PromqlEntry[] };
} {
  const promql = { steadyState: steadyState.filter(isPromql), abortWhen: abortWhen.filter(isPromql) };
  const any = promql.steadyState.length + promql.abortWhen.length > 0;
  return {
    steadyState: steadyState.filter((e): e is Tolerance => !isPromql(e)),
    abortWhen: abortWhen.filter((e): e is Tolerance => !isPromql(e)),
    ...(any ? { promql } : {}),
  };
}

type Issue = z.core.$ZodIssue;

/**
 * A hypothesis entry that fails both branches: only the branch the user meant speaks (a
 * `promql` key means the PromQL one), its issues placed at the entry, so no one reads that
 * `promql` is an unknown key of a check entry.
 */
export function hypothesisIssues(issue: Issue, raw: unknown): Issue[] | undefined {
  const [list, index] = issue.path;
  if (issue.code !== 'invalid_union' || (list !== 'steadyState' && list !== 'abortWhen') || issue.path.length !== 2)
    return undefined;
  const item =
    Array.isArray(raw) || raw === null || typeof raw !== 'object' ? undefined : (raw as Record<string, unknown>)[list];
  const entry = Array.isArray(item) ? (item[index as number] as unknown) : undefined;
  const promql = entry !== null && typeof entry === 'object' && 'promql' in entry;
  const branch = issue.errors[promql ? 1 : 0] ?? [];
  return branch.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }));
}

/** Where the `i`-th check entry of `list` is in the file as written, PromQL entries among them. */
export function checkEntryIndex(raw: unknown, list: 'steadyState' | 'abortWhen', i: number): number {
  const items = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>)[list] : undefined;
  if (!Array.isArray(items)) return i;
  const positions = items.flatMap((e: unknown, k) => (e !== null && typeof e === 'object' && 'promql' in e ? [] : [k]));
  return positions[i] ?? i;
}
