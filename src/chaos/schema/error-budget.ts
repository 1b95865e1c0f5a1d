import { z } from 'zod';
import type { ErrorBudgetGate } from '../model/experiment.js';

const MIN_MESSAGE =
  'must be a share of the error budget: a percentage such as 25% or a ratio such as 0.25, above 0 and at most 1';

/** `25%` or `0.25` as a ratio in (0, 1]. */
const shareSchema = z.union([z.number(), z.string()], { error: MIN_MESSAGE }).transform((value, ctx) => {
  const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(String(value).trim());
  // As the SLO objective does: 25% is the number 0.25 exactly, not 25 / 100.
  const ratio = match ? Number(match[2] ? `${match[1]}e-2` : match[1]) : Number.NaN;
  if (!(ratio > 0 && ratio <= 1)) {
    ctx.addIssue({ code: 'custom', message: MIN_MESSAGE });
    return z.NEVER;
  }
  return ratio;
});

/** `requireErrorBudget: { slo: CHECK, min: 25% }`: no run while the check's budget is below `min`. */
export const errorBudgetSchema = z
  .strictObject({
    slo: z
      .string()
      .min(1)
      .meta({ description: 'A check of the agent config that has an `slo:`; its remaining error budget is judged.' }),
    min: shareSchema.meta({ description: 'Least remaining error budget for a run to start: 25% or 0.25.' }),
  })
  .transform(({ slo, min }): ErrorBudgetGate => ({ slo, min }))
  .meta({
    description:
      "Scheduled runs are skipped while the check's remaining error budget is below min; a standalone `canary chaos run` refuses the experiment.",
  });
