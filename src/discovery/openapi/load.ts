import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { CanaryError, displayPath, ERROR_CODES, errorMessage } from '../../errors.js';
import { asObject, asString } from './json.js';
import { parseRef, RefError, RefResolver } from './refs.js';

/** The most documents one spec may pull in through `$ref`s; a bound, not a real-world limit. */
const MAX_DOCUMENTS = 200;

/** An OpenAPI 3.0 or 3.1 description, read with every file its `$ref`s name. */
export interface OpenApiSpec {
  /** Absolute path of the root document. */
  file: string;
  /** The `openapi` field, e.g. `3.0.3` or `3.1.0`. */
  version: string;
  /** `info.title` and `info.version`, for messages. */
  title: string;
  apiVersion: string;
  /** The root document as parsed. */
  document: Record<string, unknown>;
  /** Follows `$ref`s into the root and the referenced files. */
  refs: RefResolver;
}

function specError(file: string, message: string, cause?: unknown): CanaryError {
  return new CanaryError(ERROR_CODES.usage, `${displayPath(file)}: ${message}`, { cause });
}

async function readDocument(file: string, from: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    const via = file === from ? '' : ` (referenced from ${displayPath(from)})`;
    throw specError(file, `cannot read OpenAPI document${via}: ${code}`, err);
  }
  return parseDocument(file, text);
}

/** A document's text as data: JSON when the name ends in `.json`, YAML otherwise. */
function parseDocument(file: string, text: string, json = file.endsWith('.json')): unknown {
  try {
    // YAML 1.2 is a superset of JSON, so one parser reads both; JSON.parse first is only faster.
    return json ? (JSON.parse(text) as unknown) : (parse(text, { maxAliasCount: 1000 }) as unknown);
  } catch (err) {
    throw specError(file, `not valid ${json ? 'JSON' : 'YAML'}: ${errorMessage(err).split('\n')[0]}`, err);
  }
}

/** Every `$ref` string below `value`, visiting each object once (YAML aliases can share them). */
function refsIn(value: unknown): string[] {
  const refs: string[] = [];
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object' || seen.has(node)) continue;
    seen.add(node);
    const ref = asString((node as Record<string, unknown>).$ref);
    if (ref !== undefined) refs.push(ref);
    stack.push(...(Object.values(node) as unknown[]));
  }
  return refs;
}

/** Reads the root and, breadth first, every file a `$ref` points into. */
async function readAll(root: string): Promise<Map<string, unknown>> {
  const documents = new Map<string, unknown>();
  const queue: { file: string; from: string }[] = [{ file: root, from: root }];
  while (queue.length > 0) {
    const next = queue.shift();
    if (next === undefined || documents.has(next.file)) continue;
    if (documents.size >= MAX_DOCUMENTS) throw specError(root, `references more than ${MAX_DOCUMENTS} files`);
    const document = await readDocument(next.file, next.from);
    documents.set(next.file, document);
    for (const ref of refsIn(document)) {
      try {
        const { file } = parseRef(ref, next.file);
        if (!documents.has(file)) queue.push({ file, from: next.file });
      } catch (err) {
        // A remote reference is reported where it is used, so the rest of the spec still works.
        if (!(err instanceof RefError)) throw err;
      }
    }
  }
  return documents;
}

/**
 * Loads an OpenAPI 3.0 or 3.1 description (YAML or JSON) and every local file its `$ref`s
 * name. Unreadable files, parse errors and other versions are usage errors (exit 2).
 */
export async function loadOpenApi(path: string): Promise<OpenApiSpec> {
  const file = resolve(path);
  return toSpec(file, await readAll(file));
}

/**
 * An OpenAPI description fetched from `url` (its text given): one document, nothing else
 * read. A `$ref` into another document is reported where it is used, as a remote one is
 * for a local spec, so a document from the network never makes canary read local files.
 */
export function openApiFromText(url: string, text: string): OpenApiSpec {
  const json = /\.json$/i.test(new URL(url).pathname);
  return toSpec(url, new Map([[url, parseDocument(url, text, json)]]));
}

function toSpec(file: string, documents: ReadonlyMap<string, unknown>): OpenApiSpec {
  const document = asObject(documents.get(file));
  if (document === undefined) throw specError(file, 'not an OpenAPI document (expected a mapping at the top level)');
  const version = typeof document.openapi === 'number' ? String(document.openapi) : (asString(document.openapi) ?? '');
  if (document.swagger !== undefined)
    throw specError(
      file,
      `Swagger ${asString(document.swagger) ?? JSON.stringify(document.swagger)} is not supported; convert it to OpenAPI 3`,
    );
  if (!/^3\.[01]\.\d+/.test(version)) throw specError(file, `openapi: expected 3.0.x or 3.1.x, got "${version}"`);
  const info = asObject(document.info);
  return {
    file,
    version,
    title: asString(info?.title) ?? displayPath(file),
    apiVersion: asString(info?.version) ?? '',
    document,
    refs: new RefResolver(file, documents),
  };
}
