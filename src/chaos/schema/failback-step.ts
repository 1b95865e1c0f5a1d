/** The `failback` step: killed instances come back in waves, each gated on the steady state. */
import { z } from 'zod';
import { duration } from '../../config/schema/common.js';

export const failbackStep = z
  .strictObject({
    action: z.literal('failback'),
    target: z.string().min(1).meta({ description: 'Target whose killed instances come back.' }),
    strategy: z.enum(['staggered', 'all-at-once']).default('staggered'),
    waveSize: z.int().min(1).optional().meta({ description: 'Instances per wave; default 1 (or derived from waves).' }),
    waves: z.int().min(1).optional().meta({ description: 'Number of waves; the wave size is derived from it.' }),
    interval: duration({ min: 0 })
      .prefault('10s')
      .meta({ description: 'Wait after each wave before the gate is judged.' }),
    jitter: duration({ min: 0 })
      .prefault('0s')
      .meta({ description: 'Random extra wait, up to this, after each wave.' }),
    gateTimeout: duration({ min: 1 }).prefault('1m').meta({
      description:
        'How long the steady state may take to return after a wave; past it the failback stops and rolls back.',
    }),
  })
  .superRefine((step, ctx) => {
    if (step.waveSize !== undefined && step.waves !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['waves'],
        message: 'cannot be combined with waveSize: set one of waveSize or waves',
      });
    if (step.strategy === 'all-at-once' && (step.waveSize !== undefined || step.waves !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['strategy'],
        message: 'all-at-once is one wave: waveSize and waves do not apply',
      });
    }
  })
  .meta({ description: 'Bring back the instances earlier kill steps took down, in waves gated on the steady state.' });
