import type { OpenApiSpec } from './load.js';
import { listOperations, type Operation } from './operations.js';

/** What coverage needs of a check: a loaded config's `ResolvedCheck` fits. Only `kind: http` checks count. */
export interface CoverageCheck {
  name: string;
  kind: string;
  target: string;
  /** A disabled check probes nothing, so it covers nothing. */
  enabled?: boolean;
  http?: { method: string };
}

/** An operation as coverage reports it. */
export interface CoverageOperation {
  method: string;
  path: string;
  operationId?: string;
}

/** Which operations some check probes, which none does, and the ratio of the two. */
export interface CoverageReport {
  total: number;
  covered: (CoverageOperation & { checks: string[] })[];
  uncovered: CoverageOperation[];
  /** covered / total; 1 for a spec without operations (nothing is left unprobed). */
  ratio: number;
}

export interface CoverageOptions {
  /** Replaces the spec's servers: its path is the base path every operation path is under. */
  baseUrl?: string;
}

interface Matcher {
  operation: Operation;
  patterns: RegExp[];
  /** Templated segments; the most literal matching template wins, as OpenAPI path matching says. */
  params: number;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The path of a server URL, relative or absolute, without its trailing slash. */
function basePath(url: string): string {
  try {
    return new URL(url, 'http://base.invalid').pathname.replace(/\/+$/, '');
  } catch {
    return '';
  }
}

/** `/v1` + `/pets/{petId}` -> `^/v1/pets/[^/]+/?$`. */
function pattern(base: string, template: string): RegExp {
  const body = template
    .split(/(\{[^}]*\})/)
    .map((part) => (part.startsWith('{') && part.endsWith('}') ? '[^/]+' : escapeRegex(part)))
    .join('');
  return new RegExp(`^${escapeRegex(base)}${body.replace(/\/+$/, '')}/?$`);
}

function matcher(operation: Operation, baseUrl?: string): Matcher {
  const bases =
    baseUrl !== undefined ? [basePath(baseUrl)] : operation.servers.length > 0 ? operation.servers.map(basePath) : [''];
  return {
    operation,
    patterns: [...new Set(bases)].map((base) => pattern(base, operation.path)),
    params: (operation.path.match(/\{[^}]*\}/g) ?? []).length,
  };
}

function pathOf(target: string): string | undefined {
  try {
    return new URL(target).pathname;
  } catch {
    return undefined;
  }
}

/** The operations one check probes: same method, path matching, the most literal templates only. */
function operationsOf(check: CoverageCheck, matchers: readonly Matcher[]): Matcher[] {
  const path = check.kind === 'http' ? pathOf(check.target) : undefined;
  if (path === undefined) return [];
  const method = (check.http?.method ?? 'GET').toUpperCase();
  const hits = matchers.filter((m) => m.operation.method === method && m.patterns.some((p) => p.test(path)));
  const fewest = Math.min(...hits.map((m) => m.params));
  return hits.filter((m) => m.params === fewest);
}

function describe(op: Operation): CoverageOperation {
  return { method: op.method, path: op.path, ...(op.operationId ? { operationId: op.operationId } : {}) };
}

/**
 * Compares a spec's operations with checks. An operation is covered when an enabled check
 * uses its method and its URL path matches the operation's path template (parameters as
 * wildcards) under a server's base path. Hosts are not compared: the same checks may
 * probe several environments of one API.
 */
export function coverage(
  spec: OpenApiSpec,
  checks: readonly CoverageCheck[],
  options: CoverageOptions = {},
): CoverageReport {
  const matchers = listOperations(spec).operations.map((op) => matcher(op, options.baseUrl));
  const coveredBy = new Map<Matcher, string[]>();
  for (const check of checks) {
    if (check.enabled === false) continue;
    for (const m of operationsOf(check, matchers)) coveredBy.set(m, [...(coveredBy.get(m) ?? []), check.name]);
  }
  const covered = matchers.flatMap((m) => {
    const names = coveredBy.get(m);
    return names ? [{ ...describe(m.operation), checks: names }] : [];
  });
  const uncovered = matchers.filter((m) => !coveredBy.has(m)).map((m) => describe(m.operation));
  return {
    total: matchers.length,
    covered,
    uncovered,
    ratio: matchers.length === 0 ? 1 : covered.length / matchers.length,
  };
}

/** The share of the spec's operations that some enabled check probes, from 0 to 1 (see {@link coverage}). */
export function coverageRatio(
  spec: OpenApiSpec,
  checks: readonly CoverageCheck[],
  options: CoverageOptions = {},
): number {
  return coverage(spec, checks, options).ratio;
}
