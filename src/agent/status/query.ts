/** The query of `GET /api/v1/checks`, parsed and checked: a bad parameter is a 400 with its reason. */
import { CHECK_KINDS } from '../../config/schema/check.js';
import { CHECK_STATES, type CheckState } from './state.js';

export const SORT_KEYS = ['name', 'state', 'lastRun', 'p95', 'successRatio'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1_000;

export interface ChecksQuery {
  states: ReadonlySet<CheckState>;
  kinds: ReadonlySet<string>;
  labels: readonly (readonly [string, string])[];
  /** Lower-cased. */
  q: string;
  sort: SortKey | undefined;
  order: 'asc' | 'desc';
  offset: number;
  limit: number;
}

const KNOWN = new Set(['state', 'kind', 'label', 'q', 'sort', 'order', 'offset', 'limit']);

/** Repeated values, and comma-separated ones, of a parameter. */
function all(params: URLSearchParams, name: string): string[] {
  return params
    .getAll(name)
    .flatMap((v) => v.split(','))
    .filter((v) => v !== '');
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new QueryError(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
}

function integer(params: URLSearchParams, name: string, fallback: number, max: number): number {
  const text = params.get(name);
  if (text === null) return fallback;
  if (!/^\d{1,9}$/.test(text) || Number(text) > max)
    throw new QueryError(`${name} must be a whole number from 0 to ${max}, got ${JSON.stringify(text)}`);
  return Number(text);
}

function label(text: string): readonly [string, string] {
  const at = text.indexOf('=');
  if (at <= 0) throw new QueryError(`label must be KEY=VALUE, got ${JSON.stringify(text)}`);
  return [text.slice(0, at), text.slice(at + 1)];
}

/** A parameter the API refuses, with why. */
export class QueryError extends Error {}

/** @throws QueryError naming the first bad parameter */
export function parseChecksQuery(params: URLSearchParams): ChecksQuery {
  for (const name of params.keys())
    if (!KNOWN.has(name)) throw new QueryError(`unknown parameter ${JSON.stringify(name)}`);
  const sort = params.get('sort');
  return {
    states: new Set(all(params, 'state').map((s) => oneOf('state', s, CHECK_STATES))),
    kinds: new Set(all(params, 'kind').map((k) => oneOf('kind', k, CHECK_KINDS))),
    // Not split on commas: a label value may hold one.
    labels: params.getAll('label').map(label),
    q: (params.get('q') ?? '').toLowerCase(),
    sort: sort === null ? undefined : oneOf('sort', sort, SORT_KEYS),
    order: oneOf('order', params.get('order') ?? 'asc', ['asc', 'desc'] as const),
    offset: integer(params, 'offset', 0, 1e9),
    limit: integer(params, 'limit', DEFAULT_LIMIT, MAX_LIMIT),
  };
}
