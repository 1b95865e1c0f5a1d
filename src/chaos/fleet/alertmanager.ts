/**
 * The fleet's shared state lives in Alertmanager, which users already run (and cluster)
 * for alerting: a run in progress is an active alert, a fleet-wide halt is another. This
 * module owns the alert names and labels, and talks to Alertmanager's v2 API.
 */
import { CanaryError, ERROR_CODES, errorMessage } from '../../errors.js';

/** Kept firing while an experiment runs, resolved when it ends. */
export const ACTIVE_ALERT = 'CanaryChaosExperimentActive';
/** Posted by `canary chaos halt --fleet`: every matching runner stops and rolls back. */
export const HALT_ALERT = 'CanaryChaosHalt';
/** The labels a fleet halt may narrow itself with (`--match k=v`); none: everything. */
export const HALT_MATCH_LABELS = ['experiment', 'region', 'target'] as const;

/** How long one call to Alertmanager may take: a hung Alertmanager must not hold a runner. */
export const ALERTMANAGER_TIMEOUT_MS = 2_000;

/** An alert as the v2 API takes and returns it. */
export interface Alert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

/** Posts alerts; an alert whose `endsAt` has passed is resolved. Rejects with the reason. */
export async function postAlerts(base: string, alerts: readonly Alert[]): Promise<void> {
  await call(base, '/api/v2/alerts', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alerts),
  });
}

/** The active (not silenced, not inhibited, not resolved) alerts named `alertname`. */
export async function activeAlerts(base: string, alertname: string): Promise<Alert[]> {
  const query = new URLSearchParams({
    filter: `alertname="${alertname}"`,
    active: 'true',
    silenced: 'false',
    inhibited: 'false',
  });
  const body = await call(base, `/api/v2/alerts?${query.toString()}`, { method: 'GET' });
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw unavailable(`Alertmanager at ${base} answered with something other than JSON`);
  }
  if (!Array.isArray(parsed)) throw unavailable(`Alertmanager at ${base} did not answer with a list of alerts`);
  return parsed.filter(isAlert);
}

function isAlert(value: unknown): value is Alert {
  if (typeof value !== 'object' || value === null) return false;
  const labels = (value as { labels?: unknown }).labels;
  return typeof labels === 'object' && labels !== null;
}

async function call(base: string, path: string, init: RequestInit): Promise<string> {
  const url = `${base.replace(/\/+$/, '')}${path}`;
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(ALERTMANAGER_TIMEOUT_MS) });
  } catch (error) {
    // fetch says only "fetch failed"; the cause says why (refused, timeout, DNS).
    const why = error instanceof Error && error.cause !== undefined ? errorMessage(error.cause) : errorMessage(error);
    throw unavailable(`Alertmanager at ${base} is unreachable: ${why}`);
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) throw unavailable(`Alertmanager at ${base} answered ${res.status}: ${text.trim().slice(0, 200)}`);
  return text;
}

/** A clear error for the CLI (exit 1, no stack), and a reason for runners' logs and journals. */
function unavailable(message: string): CanaryError {
  return new CanaryError(ERROR_CODES.state, message);
}
