/**
 * `GET /api/v1/checks`: filter and sort on what is cheap to know of every check (name,
 * kind, labels, state, last run; window figures only when the sort asks for them), then
 * build summaries for the page returned only, so 10,000 checks cost 100 summaries a request.
 */
import type { ResolvedCheck } from '../../config/types.js';
import { VERSION } from '../../version.js';
import type { ChecksQuery, SortKey } from './query.js';
import { SUMMARY_WINDOW_MS, type StatusSources } from './sources.js';
import { CHECK_STATES, type CheckState } from './state.js';
import { checkSummary, lastRunOf, stateOf } from './summary.js';

interface Row {
  check: ResolvedCheck;
  state: CheckState;
}

function matches(row: Row, query: ChecksQuery): boolean {
  const { check } = row;
  if (query.states.size > 0 && !query.states.has(row.state)) return false;
  if (query.kinds.size > 0 && !query.kinds.has(check.kind)) return false;
  if (query.q !== '' && !check.name.toLowerCase().includes(query.q)) return false;
  return query.labels.every(([key, value]) => check.labels[key] === value);
}

const byName = (a: Row, b: Row): number => (a.check.name < b.check.name ? -1 : a.check.name > b.check.name ? 1 : 0);
const byState = (a: Row, b: Row): number => CHECK_STATES.indexOf(a.state) - CHECK_STATES.indexOf(b.state);

/** A number per row for the sort; rows without one (no runs) sort last whatever the order. */
function numericKey(key: SortKey, sources: StatusSources, now: number): ((row: Row) => number | undefined) | undefined {
  if (key === 'lastRun') return (row) => lastRunOf(row.check, sources);
  if (key === 'p95') return (row) => sources.windows.stats(row.check.name, SUMMARY_WINDOW_MS, now)?.p95;
  if (key === 'successRatio')
    return (row) => sources.windows.stats(row.check.name, SUMMARY_WINDOW_MS, now)?.successRatio;
  return undefined;
}

function sortRows(rows: Row[], query: ChecksQuery, sources: StatusSources, now: number): Row[] {
  const sign = query.order === 'desc' ? -1 : 1;
  const key = query.sort ?? 'state';
  const numeric = numericKey(key, sources, now);
  if (numeric === undefined) {
    const first = key === 'name' ? byName : byState;
    return rows.sort((a, b) => sign * first(a, b) || byName(a, b));
  }
  // Computed once per row, not once per comparison: p95 sorts a window each time.
  const keyed = rows.map((row) => ({ row, value: numeric(row) }));
  keyed.sort((a, b) => {
    if (a.value === undefined || b.value === undefined)
      return (a.value === undefined ? 1 : 0) - (b.value === undefined ? 1 : 0) || byName(a.row, b.row);
    return sign * (a.value - b.value) || byName(a.row, b.row);
  });
  return keyed.map((k) => k.row);
}

/** The answer of `GET /api/v1/checks` for `query`. */
export function listChecks(query: ChecksQuery, sources: StatusSources, now: number = Date.now()) {
  const counts: Record<CheckState, number> = { up: 0, down: 0, flapping: 0, disabled: 0, pending: 0 };
  const rows: Row[] = [];
  for (const check of sources.checks()) {
    const row = { check, state: stateOf(check, sources) };
    counts[row.state]++;
    if (matches(row, query)) rows.push(row);
  }
  const page = sortRows(rows, query, sources, now).slice(query.offset, query.offset + query.limit);
  const { region, labels } = sources.config().agent;
  return {
    agent: { region, version: VERSION, labels },
    generatedAt: new Date(now).toISOString(),
    total: rows.length,
    offset: query.offset,
    limit: query.limit,
    counts,
    checks: page.map((row) => checkSummary(row.check, sources, now)),
  };
}
