/**
 * The chaos experiment file (`chaos/*.yaml`): every key validated, unknown keys rejected,
 * defaults here and nowhere else. Parsing gives an {@link Experiment} minus what needs the
 * file system (paths, pid file globs), which the loader adds.
 */
import { z } from 'zod';
import { duration } from '../config/schema/common.js';
import { formatDuration } from '../config/units.js';
import { errorBudgetSchema } from './schema/error-budget.js';
import { scheduleSchema } from './schema/schedule.js';
import { finishProxySteps, methodSchema, rollbackSchema } from './schema/steps.js';
import { targetsSchema } from './schema/targets.js';
import { hypothesisEntrySchema, splitHypothesis } from './schema/promql.js';
import { dropUndefined } from './schema/tolerance.js';

const blastRadiusSchema = z
  .strictObject({
    maxInstances: z.int().min(1).optional().meta({ description: 'Most instances of one target faulted at once.' }),
    maxPercent: z
      .number()
      .gt(0)
      .max(100)
      .optional()
      .meta({ description: 'Most of one target faulted at once, in percent of its instances.' }),
  })
  .refine((b) => b.maxInstances !== undefined || b.maxPercent !== undefined, {
    message: 'needs at least one of maxInstances or maxPercent',
  })
  .transform((b) => dropUndefined(b))
  .meta({ description: 'Required: how much of a target the method may fault at once.' });

/** The experiment file. */
export const experimentSchema = z
  .strictObject({
    name: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9._-]*$/,
        'must start with a lowercase letter or digit and use only lowercase letters, digits, . _ -',
      )
      .max(128),
    description: z.string().default(''),
    tags: z.array(z.string().min(1)).default([]),
    config: z.string().min(1).optional().meta({
      description:
        'The agent config this experiment is written for, relative to this file: what `canary chaos run` and `canary chaos validate` read when not given --config. An agent running the experiment from chaos.files uses its own config.',
    }),
    targets: targetsSchema,
    steadyState: z
      .array(hypothesisEntrySchema)
      .default([])
      .meta({ description: 'Must hold before the method and again after the rollback.' }),
    abortWhen: z
      .array(hypothesisEntrySchema)
      .default([])
      .meta({ description: 'Any entry holding during the method aborts the run.' }),
    blastRadius: blastRadiusSchema,
    method: methodSchema,
    rollback: rollbackSchema,
    rollbackStrategy: z.enum(['always', 'on-failure', 'never']).default('always'),
    maxDuration: duration({ min: 1 })
      .prefault('10m')
      .meta({ description: 'The whole run, rollback included; must exceed the pauses.' }),
    recoveryTimeout: duration({ min: 1 })
      .prefault('1m')
      .meta({ description: 'How long to wait after rollback for the steady state.' }),
    schedule: scheduleSchema.optional(),
    requireApproval: z.boolean().default(false).meta({ description: "A run needs a second operator's approval." }),
    requireErrorBudget: errorBudgetSchema.optional(),
  })
  .superRefine((e, ctx) => {
    const paused = e.method.reduce((sum, step) => sum + (step.action === 'pause' ? step.durationMs : 0), 0);
    if (e.maxDuration <= paused) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxDuration'],
        message: `must exceed the sum of the method's pauses (${formatDuration(paused)}), got ${formatDuration(e.maxDuration)}`,
      });
    }
    // Turns keep regions apart only if a region's run has ended before the next one's turn.
    const gap = e.schedule?.fleet?.gapMs;
    const longest = e.maxDuration + e.recoveryTimeout;
    if (gap !== undefined && e.schedule!.fleet!.regions.length > 1 && gap <= longest) {
      ctx.addIssue({
        code: 'custom',
        path: ['schedule', 'fleet', 'gap'],
        message: `must exceed maxDuration + recoveryTimeout (${formatDuration(longest)}, the longest one region's run may last), got ${formatDuration(gap)}`,
      });
    }
  })
  .transform(({ maxDuration, recoveryTimeout, method, steadyState, abortWhen, ...rest }) =>
    // A toxic outlives no run: by default it expires when the run's time is up.
    dropUndefined({
      ...rest,
      ...splitHypothesis(steadyState, abortWhen),
      method: finishProxySteps(method, maxDuration + recoveryTimeout),
      maxDurationMs: maxDuration,
      recoveryTimeoutMs: recoveryTimeout,
    }),
  )
  .meta({ title: 'canary chaos experiment' });

/** An experiment as parsed: targets not yet resolved against the file system, no file. */
export type ParsedExperiment = z.output<typeof experimentSchema>;

/** An experiment as written, before defaults: what tests and generators build. */
export type ExperimentInput = z.input<typeof experimentSchema>;

/**
 * JSON Schema of the experiment file, generated from the zod schema so editors validate
 * what the loader accepts. The input side is used: durations are strings, as written.
 */
export function experimentJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(experimentSchema, { io: 'input', unrepresentable: 'any' });
}
