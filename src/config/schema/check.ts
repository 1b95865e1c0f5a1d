import { z } from 'zod';
import { duration, labels } from './common.js';
import { httpExpectSchema, httpRequestSchema, httpTarget, tlsSchema } from './http.js';

/** Fields every check has, whatever its kind. */
const checkBase = {
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, 'must start with a letter or digit and use only letters, digits, _ . : -')
    .max(128),
  target: z.string().min(1),
  interval: duration({ min: 100, minText: '100ms' }).optional().meta({ description: 'Run every interval; default probes.defaults.interval.' }),
  schedule: z.string().optional().meta({ description: 'Cron expression (5 or 6 fields, seconds allowed) instead of an interval.' }),
  timeout: duration({ min: 1 }).optional().meta({ description: 'Per-attempt timeout; default probes.defaults.timeout.' }),
  labels: labels(),
  enabled: z.boolean().default(true),
};

export const httpCheckSchema = z
  .strictObject({
    ...checkBase,
    kind: z.literal('http'),
    target: httpTarget,
    http: httpRequestSchema.prefault({}),
    tls: tlsSchema.prefault({}),
    expect: httpExpectSchema.prefault({}),
  })
  .meta({ description: 'An HTTP(S) check: one request, redirects followed, expectations on the final response.' });

/** Every check kind, told apart by `kind`. */
export const checkSchema = z.discriminatedUnion('kind', [httpCheckSchema]);

/** A probe file: a list of checks, merged with the agent config's inline checks. */
export const probeFileSchema = z.strictObject({
  checks: z.array(checkSchema).default([]),
});

export type CheckInput = z.input<typeof checkSchema>;
export type ParsedCheck = z.output<typeof checkSchema>;
export type HttpCheck = z.output<typeof httpCheckSchema>;
export const CHECK_KINDS = checkSchema.options.map((o) => o.shape.kind.value);
