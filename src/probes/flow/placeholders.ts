/**
 * Fills `{{name}}` placeholders of a step's request from values extracted by earlier
 * steps. Values go in as they are (no URL encoding), so an extracted URL or a ready-made
 * query string can be used whole.
 */
import { PLACEHOLDER } from '../../config/schema/flow-rules.js';
import type { FlowStep } from '../../config/schema/flow.js';

/** The parts of a step's request that may hold placeholders, filled. */
export interface FilledRequest {
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** A placeholder with no value, and where it was written. */
export interface Unfilled {
  missing: string;
  field: string;
}

/** Replaces every placeholder in `text`; returns the first name without a value instead. */
export function fillText(text: string, values: ReadonlyMap<string, string>): { text: string } | { missing: string } {
  if (!text.includes('{{')) return { text };
  let missing: string | undefined;
  const filled = text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values.get(name);
    if (value === undefined) missing ??= name;
    return value ?? whole;
  });
  return missing === undefined ? { text: filled } : { missing };
}

/**
 * The step's url, headers and body with placeholders filled. The loader has checked that
 * every placeholder is extracted by an earlier step, and a failed extraction ends the flow,
 * so an unfilled one here means the check was built without the loader.
 */
export function fillRequest(request: FlowStep['http'], values: ReadonlyMap<string, string>): FilledRequest | Unfilled {
  const url = fillText(request.url, values);
  if ('missing' in url) return { missing: url.missing, field: 'url' };
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    const filled = fillText(value, values);
    if ('missing' in filled) return { missing: filled.missing, field: `header ${name}` };
    headers[name] = filled.text;
  }
  let body: string | undefined;
  if (request.body !== undefined) {
    const filled = fillText(request.body, values);
    if ('missing' in filled) return { missing: filled.missing, field: 'body' };
    body = filled.text;
  }
  return { url: url.text, headers, body };
}
