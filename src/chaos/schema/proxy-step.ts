import { z } from 'zod';
import { duration } from '../../config/schema/common.js';
import { TOXIC_KINDS } from '../../proxy/toxics/registry.js';
import type { ProxyStep } from '../model/steps.js';
import { dropUndefined } from './tolerance.js';
import { isHttpUrl } from './url.js';

const TOXIC_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const toxicSchema = z
  .strictObject({
    type: z
      .enum([...TOXIC_KINDS.keys()] as [string, ...string[]])
      .meta({ description: 'The toxic, as `canary proxy` (and Toxiproxy) name it.' }),
    name: z
      .string()
      .regex(TOXIC_NAME, 'must start with a letter or digit and use only letters, digits, _ . -')
      .max(128)
      .optional()
      .meta({ description: 'Default: canary-STEP-INDEX, unique in the experiment.' }),
    stream: z
      .enum(['upstream', 'downstream'])
      .default('downstream')
      .meta({ description: 'downstream: toward the client; upstream: toward the server.' }),
    toxicity: z
      .number()
      .min(0)
      .max(1)
      .default(1)
      .meta({ description: 'Share of connections (or requests, for http_ toxics) it applies to.' }),
    attributes: z
      .record(z.string(), z.unknown())
      .default({})
      .meta({ description: "The toxic's attributes, e.g. { latency: 200, jitter: 50 }." }),
  })
  .meta({ description: 'One toxic to add.' });

/** `{ action: proxy, proxy: NAME, toxics: [...] }`: toxics on a proxy of a fault proxy, removed by the rollback. */
export const proxyStep = z
  .strictObject({
    action: z.literal('proxy'),
    api: z
      .string()
      .refine(isHttpUrl, 'must be an absolute http:// or https:// URL')
      .default('http://127.0.0.1:8474')
      .meta({ description: "The fault proxy's REST API (`canary proxy`, or Toxiproxy)." }),
    proxy: z.string().min(1).meta({ description: 'Name of the proxy the toxics go on.' }),
    toxics: z.array(toxicSchema).min(1),
    ttl: duration({ min: 1 }).optional().meta({
      description:
        "Lifetime of each toxic in the proxy, so it expires on its own should every runner die. Default: the experiment's maxDuration + recoveryTimeout.",
    }),
    timeout: duration({ min: 1 }).prefault('10s').meta({ description: 'Per API request.' }),
  })
  .superRefine((step, ctx) => {
    const seen = new Set<string>();
    for (const [i, toxic] of step.toxics.entries()) {
      if (toxic.name === undefined) continue;
      if (seen.has(toxic.name))
        ctx.addIssue({ code: 'custom', path: ['toxics', i, 'name'], message: `duplicate toxic name "${toxic.name}"` });
      seen.add(toxic.name);
    }
  })
  .meta({ description: 'Add toxics to a proxy of the fault proxy; reverting removes them.' });

/** The step without its id, names and ttl filled in later (they depend on its position and the experiment). */
export function toProxyStep(step: z.output<typeof proxyStep>): Omit<ProxyStep, 'id' | 'toxics' | 'ttlMs'> & {
  toxics: (Omit<ProxyStep['toxics'][number], 'name'> & { name?: string })[];
  ttlMs?: number;
} {
  const { api, proxy, toxics, ttl, timeout } = step;
  return dropUndefined({
    action: 'proxy' as const,
    selection: {},
    api,
    proxy,
    toxics: toxics.map((t) => dropUndefined({ ...t })),
    ttlMs: ttl,
    timeoutMs: timeout,
  });
}
