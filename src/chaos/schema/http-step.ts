import { z } from 'zod';
import { duration } from '../../config/schema/common.js';
import { statusList } from '../../config/schema/http.js';
import { placeholderNames } from '../actions/placeholders.js';
import { isHttpUrl } from './url.js';

/** The inclusive codes of one matcher written as a string: `2xx`, `503` or `500-504`. */
function statusRange(matcher: string): [number, number] {
  if (matcher.endsWith('xx')) {
    const low = Number(matcher[0]) * 100;
    return [low, low + 99];
  }
  const [low, high] = matcher.split('-').map(Number) as [number, number?];
  return [low, high ?? low];
}

/** Expands classes and ranges into the concrete codes, sorted and without repeats. */
export function expandStatuses(matchers: readonly (number | string)[]): number[] {
  const codes = new Set<number>();
  for (const matcher of matchers) {
    const [low, high] = typeof matcher === 'number' ? [matcher, matcher] : statusRange(matcher);
    for (let code = low; code <= high; code++) codes.add(code);
  }
  return [...codes].sort((a, b) => a - b);
}

/** Expected statuses as written (one, or a list), expanded to codes. */
export const expectStatusSchema = statusList.prefault(['2xx']).transform(expandStatuses);

/**
 * A URL that may hold placeholders (`{url}/admin/fault`): checked with the placeholders
 * stood in for, since their values are only known per instance at run time.
 */
function isTemplateUrl(value: string): boolean {
  let sample = value.replaceAll('{{', '{');
  for (const name of placeholderNames([value]))
    sample = sample.replaceAll(`{${name}}`, name === 'url' ? 'http://127.0.0.1' : '1');
  return isHttpUrl(sample);
}

/** The request method. @defaultValue `GET` */
export const httpMethodSchema = z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET');

/** The parts of an HTTP request an http step and its revert share. */
export const httpRequestFields = {
  method: httpMethodSchema,
  url: z
    .string()
    .refine(isTemplateUrl, 'must be an absolute http:// or https:// URL (placeholders such as {url} allowed)')
    .meta({ description: 'Absolute URL; may use {url}, {instance}, {var.NAME}.' }),
  headers: z.record(z.string().min(1), z.string()).default({}),
  body: z.string().optional(),
  expectStatus: expectStatusSchema,
  timeout: duration({ min: 1 }).prefault('30s'),
};
