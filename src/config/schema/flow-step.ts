/** One step of a flow check: its request, expectations and extractions. */
import { z } from 'zod';
import { checkBase } from './base.js';
import { regex } from './common.js';
import { PLACEHOLDER, PLACEHOLDER_NAME } from './flow-placeholders.js';
import { httpExpectSchema, httpRequestSchema } from './http.js';

/** The JSON path grammar of HTTP expectations, so extraction and `expect.json` read paths alike. */
const jsonPath = httpExpectSchema.shape.json.unwrap().element.shape.path;

/** Where one value of a response is taken from: exactly one of a JSON path, a header, a regex over the body. */
const extractorSchema = z
  .strictObject({
    json: jsonPath
      .optional()
      .meta({ description: 'JSON path into the body, e.g. $.token; objects and arrays are taken as JSON text.' }),
    header: z.string().min(1).optional().meta({ description: 'Response header name (case-insensitive).' }),
    regex: regex().optional().meta({
      description: 'Regex over the body; the first capture group is taken (the whole match when there is none).',
    }),
  })
  .refine((e) => [e.json, e.header, e.regex].filter((v) => v !== undefined).length === 1, {
    message: 'needs exactly one of json, header or regex',
  })
  .meta({ description: 'Where an extracted value comes from. Finding nothing fails the step (reason assertion).' });

/** Whether a step URL, placeholders stood in for, resolves against an http(s) target to an http(s) URL. */
function resolvesToHttp(url: string): boolean {
  try {
    const { protocol } = new URL(url.replace(PLACEHOLDER, 'x'), 'http://target.invalid/');
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * The request of one step: the HTTP check's request options plus `url`. Connections are
 * not kept between steps or runs (no keepAlive), so each step measures connect and TLS.
 */
const stepRequestSchema = httpRequestSchema.omit({ keepAlive: true, traceContext: true }).extend({
  url: z
    .string()
    .min(1)
    .refine(resolvesToHttp, 'must be a path relative to the target or an absolute http:// or https:// URL')
    .meta({
      description: 'Absolute URL, or a path relative to the check target. {{name}} placeholders are replaced, as is.',
    }),
});

export const stepSchema = z
  .strictObject({
    name: checkBase.name
      .max(64)
      .meta({ description: 'Step name, unique in the flow: the `step` label and the name in failure messages.' }),
    http: stepRequestSchema,
    expect: httpExpectSchema
      .prefault({})
      .meta({ description: "Expectations on this step's response, as for an http check." }),
    extract: z
      .record(
        z.string().regex(PLACEHOLDER_NAME, 'must be a name such as token or user_id (letters, digits, _)'),
        extractorSchema,
      )
      .default({})
      .meta({ description: 'Values taken from the response, used by later steps as {{name}}.' }),
  })
  .meta({ description: 'One request of a flow.' });

export type FlowStep = z.output<typeof stepSchema>;
export type FlowExtractor = z.output<typeof extractorSchema>;
