import { z } from 'zod';
import { instantiate } from '../sd-template.js';
import { checkSchema } from './check.js';
import { duration } from './common.js';

const sourceName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, 'must start with a letter or digit and use only letters, digits, _ . : -')
  .max(64);

/** What a template is checked with at load time: a target that fits both URLs and host:port. */
const SAMPLE = {
  address: 'discovered.invalid:443',
  labels: new Proxy({}, { get: () => '1' }) as Record<string, string>,
};

const httpSdSchema = z
  .strictObject({
    url: z
      .url({ protocol: /^https?$/, error: 'must be an absolute http:// or https:// URL' })
      .meta({ description: 'Prometheus HTTP SD endpoint: GET returns a JSON list of { targets, labels }.' }),
    refreshInterval: duration({ min: 1000, minText: '1s' })
      .prefault('60s')
      .meta({ description: 'How often the list is fetched again; a failed fetch keeps the last good targets.' }),
    timeout: duration({ min: 1 }).prefault('10s').meta({ description: 'Per-fetch timeout.' }),
  })
  .meta({ description: 'Prometheus HTTP service discovery.' });

/** A check template: any check's keys but `name`, with `{{address}}` and `{{labels.NAME}}` in its strings. */
const templateSchema = z
  .record(z.string(), z.unknown())
  .meta({ description: 'A check without name; {{address}} and {{labels.NAME}} are filled per discovered target.' });

/** One discovery source: where targets come from and the check each becomes. */
export const discoverySourceSchema = z
  .strictObject({
    name: sourceName.meta({ description: 'Source name; discovered checks are named <name>-<address>.' }),
    fileSd: z.array(z.string().min(1)).min(1).optional().meta({
      description: 'Globs of Prometheus file_sd files (JSON or YAML), relative to this file; re-read on change.',
    }),
    httpSd: httpSdSchema.optional(),
    template: templateSchema,
  })
  .superRefine((source, ctx) => {
    if ((source.fileSd === undefined) === (source.httpSd === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['fileSd'], message: 'set exactly one of fileSd or httpSd' });
    }
    if ('name' in source.template) {
      ctx.addIssue({
        code: 'custom',
        path: ['template', 'name'],
        message: 'a template has no name: checks are named <source>-<address>',
      });
      return;
    }
    // The template is checked as the check it would make, so mistakes show at load time.
    const parsed = checkSchema.safeParse(instantiate(source.name, source.template, SAMPLE));
    for (const issue of parsed.error?.issues ?? []) {
      ctx.addIssue({
        code: 'custom',
        path: ['template', ...issue.path.map((k) => (typeof k === 'symbol' ? String(k) : k))],
        message: issue.message,
      });
    }
  });

/** `probes.discovery`: sources with unique names. */
export const discoverySchema = z
  .array(discoverySourceSchema)
  .default([])
  .superRefine((sources, ctx) => {
    const seen = new Set<string>();
    for (const [i, source] of sources.entries()) {
      if (seen.has(source.name))
        ctx.addIssue({
          code: 'custom',
          path: [i, 'name'],
          message: `duplicate discovery source name "${source.name}"`,
        });
      seen.add(source.name);
    }
  })
  .meta({ description: 'Service discovery: every discovered target becomes a check made from a template.' });

export type DiscoverySource = z.output<typeof discoverySourceSchema>;
