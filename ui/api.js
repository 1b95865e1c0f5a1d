// The status JSON API (/api/v1/): the only thing the page reads.

/** Answers the API's JSON, or throws an Error carrying the API's own `error` text. */
export async function getJson(path, signal) {
  const res = await fetch(path, { headers: { accept: 'application/json' }, signal });
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    const error = new Error(body?.error ?? `${res.status} ${res.statusText}`);
    error.status = res.status;
    throw error;
  }
  return body;
}

/** `/api/v1/checks?...` for the table's view (filters, sort, page). */
export function checksPath(view) {
  const params = new URLSearchParams();
  for (const state of view.states) params.append('state', state);
  if (view.kind) params.append('kind', view.kind);
  for (const label of view.labels) params.append('label', label);
  if (view.q) params.set('q', view.q);
  if (view.sort) {
    params.set('sort', view.sort);
    params.set('order', view.order);
  }
  params.set('offset', String(view.offset));
  params.set('limit', String(view.limit));
  return `/api/v1/checks?${params}`;
}

export const checkPath = (name) => `/api/v1/checks/${encodeURIComponent(name)}`;
export const chaosPath = () => '/api/v1/chaos/runs';
export const fleetPath = () => '/api/v1/fleet';
export const runPath = (id) => `/api/v1/chaos/runs/${encodeURIComponent(id)}`;
