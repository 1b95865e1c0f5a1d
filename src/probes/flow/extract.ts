/**
 * Takes values out of a step's response: a JSON path into the body, a header, or the
 * first capture group of a regex over the body. Finding nothing is a failure of the step.
 */
import { parseJsonPath, resolveJsonPath, type PathSegment } from '../../assertions/json-path.js';
import { showRegex } from '../../assertions/format.js';
import type { Subject } from '../../assertions/types.js';
import type { FlowExtractor, FlowStep } from '../../config/schema/flow.js';
import { configuredRegex } from '../../config/safe-regex.js';

type Compiled = { json: PathSegment[]; path: string } | { header: string } | { regex: RegExp };

const compiledCache = new WeakMap<FlowExtractor, Compiled>();

function compile(extractor: FlowExtractor): Compiled {
  let compiled = compiledCache.get(extractor);
  if (compiled === undefined) {
    if (extractor.json !== undefined) compiled = { json: parseJsonPath(extractor.json), path: extractor.json };
    else if (extractor.header !== undefined) compiled = { header: extractor.header.toLowerCase() };
    else compiled = { regex: configuredRegex(extractor.regex ?? '') };
    compiledCache.set(extractor, compiled);
  }
  return compiled;
}

/** The value, or why there is none. */
type Extracted = { value: string } | { why: string };

function fromJson(subject: Subject, segments: PathSegment[], path: string): Extracted {
  const parsed = subject.json();
  if (!parsed.ok) return { why: `${path}: ${parsed.actual}` };
  const found = resolveJsonPath(parsed.value, segments);
  if (!found.found) return { why: `${path} not found (missing at ${found.missingAt})` };
  // null is "no value": a token field present but null must not become the text "null".
  if (found.value === null) return { why: `${path} is null` };
  return { value: typeof found.value === 'string' ? found.value : JSON.stringify(found.value) };
}

function extractOne(subject: Subject, compiled: Compiled): Extracted {
  if ('json' in compiled) return fromJson(subject, compiled.json, compiled.path);
  const http = subject.observation.http;
  if ('header' in compiled) {
    const value = http?.headers[compiled.header];
    return value === undefined ? { why: `no ${compiled.header} header in the response` } : { value };
  }
  const match = compiled.regex.exec(http?.body ?? '');
  if (match === null) return { why: `${showRegex(compiled.regex)} does not match the body` };
  return { value: match[1] ?? match[0] };
}

/**
 * Every value the step extracts, in config order; the first that finds nothing ends the
 * extraction with a message naming it, e.g. `extract token: $.token not found (missing at $.token)`.
 */
export function extractValues(step: FlowStep, subject: Subject): { values: [string, string][] } | { message: string } {
  const values: [string, string][] = [];
  for (const [name, extractor] of Object.entries(step.extract)) {
    const got = extractOne(subject, compile(extractor));
    if ('why' in got) return { message: `extract ${name}: ${got.why}` };
    values.push([name, got.value]);
  }
  return { values };
}

/** Whether the step reads its response body (so the HTTP probe must keep it). */
export function extractsFromBody(step: FlowStep): boolean {
  return Object.values(step.extract).some((e) => e.header === undefined);
}
