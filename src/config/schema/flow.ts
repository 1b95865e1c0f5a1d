import { z } from 'zod';
import { checkBase } from './base.js';
import { duration } from './common.js';
import { flowRules } from './flow-rules.js';
import { stepSchema } from './flow-step.js';
import { httpTarget, tlsSchema } from './http.js';

export type { FlowExtractor, FlowStep } from './flow-step.js';

/** Options of a flow check. */
export const flowOptionsSchema = z.strictObject({
  steps: z
    .array(stepSchema)
    .min(1)
    .meta({ description: 'The requests, in order; the flow stops at the first failing step.' }),
});

/** Expectations on the flow as a whole; each step has its own under `steps[].expect`. */
export const flowExpectSchema = z.strictObject({
  maxDuration: duration().optional().meta({ description: 'Longest acceptable wall time of the whole flow.' }),
});

export const flowCheckSchema = z
  .strictObject({
    ...checkBase,
    kind: z.literal('flow'),
    target: httpTarget.meta({ description: 'Base URL; step URLs may be relative to it.' }),
    flow: flowOptionsSchema,
    tls: tlsSchema.prefault({}),
    expect: flowExpectSchema.prefault({}),
  })
  .superRefine((check, ctx) => {
    for (const issue of flowRules(check.flow.steps)) ctx.addIssue({ code: 'custom', ...issue });
  })
  .meta({
    description:
      'A multi-step HTTP flow (login, then use the token): steps run in order on one timeout, values extracted from one response fill {{name}} placeholders of later requests.',
  });

export type FlowExpect = z.output<typeof flowExpectSchema>;
