/**
 * Checks for `canary init --openapi FILE|URL`, made by OpenAPI discovery (`canary discover
 * openapi`): the same safe GET/HEAD operations, the same names, the same skipped list.
 */
import {
  discoverChecks,
  escapeDollars,
  loadOpenApi,
  openApiFromText,
  type OpenApiSpec,
  type SkippedOperation,
} from '../discovery/openapi/index.js';
import { serverUrls } from '../discovery/openapi/operations.js';
import { errorMessage, usageError } from '../errors.js';
import { redactUrl } from '../net/redact-url.js';
import type { InitCheck } from './targets.js';

/** The largest document fetched; a spec is rarely over a few hundred KiB. */
const MAX_SPEC_BYTES = 8 * 1024 * 1024;
/** How long a fetch of the document may take, answer included. */
const FETCH_TIMEOUT_MS = 15_000;

/** What a spec gave: its checks (values ready for a config file), the operation of each, and what was left out. */
export interface OpenApiInit {
  title: string;
  checks: InitCheck[];
  operations: string[];
  skipped: SkippedOperation[];
}

/** Whether `--openapi` names a document on the network rather than a file. */
export function isSpecUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

async function fetchSpec(url: string): Promise<string> {
  const shown = `--openapi ${redactUrl(url)}`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: 'application/yaml, application/json;q=0.9, */*;q=0.5' },
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw usageError(`${shown}: cannot fetch: ${cause ?? errorMessage(err)}`, err);
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw usageError(`${shown}: HTTP ${response.status}`);
  }
  if (Number(response.headers.get('content-length') ?? 0) > MAX_SPEC_BYTES) {
    await response.body?.cancel();
    throw usageError(`${shown}: larger than ${MAX_SPEC_BYTES} bytes`);
  }
  const text = await response.text();
  if (text.length > MAX_SPEC_BYTES) throw usageError(`${shown}: larger than ${MAX_SPEC_BYTES} bytes`);
  return text;
}

/**
 * A fetched document's base URL when its servers do not give an absolute one: OpenAPI
 * reads a missing `servers` as `/` and a relative URL against the document's location.
 */
function fetchedBase(spec: OpenApiSpec, url: string): string | undefined {
  const first = serverUrls(spec.document.servers)[0] ?? '/';
  if (/^https?:\/\//i.test(first)) return undefined;
  return new URL(first, url).href;
}

/** Loads the document (a file with its local `$ref`s, or one fetched document) and discovers its checks. */
export async function openApiChecks(source: string, baseUrl: string | undefined): Promise<OpenApiInit> {
  const remote = isSpecUrl(source);
  const spec = remote ? openApiFromText(source, await fetchSpec(source)) : await loadOpenApi(source);
  const discovery = discoverChecks(spec, { baseUrl: baseUrl ?? (remote ? fetchedBase(spec, source) : undefined) });
  return {
    title: spec.title,
    checks: discovery.checks.map(escapeDollars),
    operations: discovery.operations,
    skipped: discovery.skipped,
  };
}
