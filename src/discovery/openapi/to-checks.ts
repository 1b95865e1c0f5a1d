import { checkSchema } from '../../config/schema/check.js';
import { displayPath, usageError } from '../../errors.js';
import type { OpenApiSpec } from './load.js';
import { checkName, dedupeNames } from './names.js';
import { listOperations, serverUrls, type Operation } from './operations.js';
import { queryPairs, simpleValue, type Parameter } from './params.js';

/** A check as written in a probe file (`kind: http`), before defaults. */
export interface GeneratedCheck {
  name: string;
  kind: 'http';
  target: string;
  http?: { method: 'GET' | 'HEAD'; headers?: Record<string, string> };
  expect: { status: (number | string)[] };
}

/** An operation left out of the probe file, and why. */
export interface SkippedOperation {
  method: string;
  path: string;
  operationId?: string;
  reason: string;
}

/** What discovery found in a spec: one check per safely probed operation, every other operation with its reason. */
export interface OpenApiChecks {
  checks: GeneratedCheck[];
  /** `METHOD /path` of each check, same order as `checks`. */
  operations: string[];
  skipped: SkippedOperation[];
}

export interface DiscoverOptions {
  /** Replaces the spec's servers: absolute http(s) URL, base path included. */
  baseUrl?: string;
  /** Prepended to every check name (`PREFIX-name`), to keep names unique across specs. */
  namePrefix?: string;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function absolute(url: string): URL | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The base URL checks are built on: `--base-url`, else the spec's first server, which must be absolute. */
export function specBaseUrl(spec: OpenApiSpec, baseUrl?: string): string {
  if (baseUrl !== undefined) {
    if (!absolute(baseUrl)) throw usageError(`--base-url ${baseUrl}: must be an absolute http:// or https:// URL`);
    return baseUrl;
  }
  const first = serverUrls(spec.document.servers)[0];
  if (first === undefined) throw usageError(`${displayPath(spec.file)}: has no servers; pass --base-url`);
  if (!absolute(first))
    throw usageError(
      `${displayPath(spec.file)}: servers[0].url "${first}" is not an absolute http(s) URL; pass --base-url`,
    );
  return first;
}

/** Why an operation cannot be probed safely, or undefined when it can. */
function skipReason(op: Operation): string | undefined {
  if (UNSAFE.has(op.method)) return `unsafe method ${op.method}`;
  if (op.method !== 'GET' && op.method !== 'HEAD') return `method ${op.method} is not probed (only GET and HEAD)`;
  if (op.problem !== undefined) return op.problem;
  if (op.requestBodyRequired) return 'requestBody required';
  const missing = op.parameters.filter((p) => p.required && p.value === undefined).map((p) => p.name);
  if (missing.length > 0)
    return `unresolvable required parameter${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`;
  if (op.authentication.length > 0) return `requires authentication (${op.authentication.join(', ')})`;
  return undefined;
}

/** The documented success status: the lowest 2xx code, else the 2XX range, else any 2xx. */
export function successStatus(codes: readonly string[]): number | string {
  const exact = codes.filter((c) => /^2\d\d$/.test(c)).map(Number);
  return exact.length > 0 ? Math.min(...exact) : '2xx';
}

/** Header names OpenAPI says are ignored as parameters: the request's own framing sets them. */
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);

function request(op: Operation, base: string): { target: string; headers: Record<string, string> } {
  const given = op.parameters.filter((p): p is Parameter & { value: { value: unknown } } => p.value !== undefined);
  let path = op.path;
  for (const p of given.filter((p) => p.in === 'path'))
    path = path.replaceAll(`{${p.name}}`, simpleValue(p, p.value.value, encodeURIComponent));
  const query = given.filter((p) => p.in === 'query').flatMap((p) => queryPairs(p, p.value.value));
  const headers: Record<string, string> = {};
  for (const p of given.filter((p) => p.in === 'header' && !IGNORED_HEADERS.has(p.name.toLowerCase()))) {
    headers[p.name.toLowerCase()] = simpleValue(p, p.value.value, (s) => s);
  }
  const cookies = given
    .filter((p) => p.in === 'cookie')
    .map((p) => `${p.name}=${simpleValue(p, p.value.value, encodeURIComponent)}`);
  if (cookies.length > 0) headers.cookie = cookies.join('; ');
  const target = `${base.replace(/\/+$/, '')}${path}${query.length > 0 ? `?${query.join('&')}` : ''}`;
  return { target, headers };
}

function toCheck(op: Operation, name: string, base: string): GeneratedCheck {
  const { target, headers } = request(op, base);
  const method = op.method as 'GET' | 'HEAD';
  const http =
    method === 'GET' && Object.keys(headers).length === 0
      ? undefined
      : { method, ...(Object.keys(headers).length > 0 ? { headers } : {}) };
  return {
    name,
    kind: 'http',
    target,
    ...(http ? { http } : {}),
    expect: { status: [successStatus(op.responseCodes)] },
  };
}

/** The server an operation is probed on: `--base-url`, else its own servers, relative ones read against the spec's. */
function operationBase(op: Operation, specBase: string, overridden: boolean): string {
  const own = op.servers[0];
  return overridden || own === undefined ? specBase : new URL(own, specBase).href;
}

/**
 * Turns the operations of a spec into checks: GET and HEAD operations whose required
 * parameters all have a documented value and that need no body and no credentials.
 * Each generated check is validated against the check schema; one that fails is skipped.
 */
export function discoverChecks(spec: OpenApiSpec, options: DiscoverOptions = {}): OpenApiChecks {
  const specBase = specBaseUrl(spec, options.baseUrl);
  const { operations, problems } = listOperations(spec);
  const skipped: SkippedOperation[] = problems.map((p) => ({ method: '*', path: p.path, reason: p.reason }));
  const probed: Operation[] = [];
  for (const op of operations) {
    const reason = skipReason(op);
    if (reason === undefined) probed.push(op);
    else
      skipped.push({
        method: op.method,
        path: op.path,
        ...(op.operationId ? { operationId: op.operationId } : {}),
        reason,
      });
  }
  const names = dedupeNames(probed.map((op) => checkName(op, options.namePrefix)));
  const discovery: OpenApiChecks = { checks: [], operations: [], skipped };
  for (const [i, op] of probed.entries()) {
    const check = toCheck(op, names[i] ?? op.path, operationBase(op, specBase, options.baseUrl !== undefined));
    const parsed = checkSchema.safeParse(check);
    if (parsed.success) {
      discovery.checks.push(check);
      discovery.operations.push(`${op.method} ${op.path}`);
    } else {
      const issue = parsed.error.issues[0];
      skipped.push({
        method: op.method,
        path: op.path,
        reason: `generated check is invalid: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`,
      });
    }
  }
  return discovery;
}
