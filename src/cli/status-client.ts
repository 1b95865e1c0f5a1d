/**
 * `canary status` talking to an agent's status API: where the agent is (the config's
 * `server.listen`), and the two answers it shows. An agent that cannot be reached is a
 * failure (exit 1) saying which URL and why; a refused flag (400) is bad input (exit 2).
 */
import { existsSync } from 'node:fs';
import type { CheckSummary } from '../agent/status/summary.js';
import { loadConfig } from '../config/load.js';
import { CanaryError, ERROR_CODES, errorMessage } from '../errors.js';
import { formatHostPort, parseListen } from '../net/listen.js';
import { usageError } from './exit.js';

/** Where `canary run` listens when its config does not say. */
export const DEFAULT_AGENT_URL = 'http://127.0.0.1:9464';

/** How long one request may take before the agent counts as unreachable. */
const REQUEST_TIMEOUT_MS = 5_000;

/** `GET /api/v1/checks` (the fields shown). */
export interface ChecksAnswer {
  agent: { region: string; version: string };
  total: number;
  counts: Record<string, number>;
  checks: CheckSummary[];
}

/** `GET /api/v1/chaos/runs` (the fields shown). */
export interface ChaosAnswer {
  enabled: boolean;
  halted: { operator: string; at: string; reason: string } | null;
  active: {
    runId: string;
    experiment: string;
    step: { id: string; index: number | null; of: number | null; label: string } | null;
  } | null;
}

/** The URL of a listen address: a wildcard host is reached on loopback. */
export function listenUrl(listen: string): string {
  const { host, port } = parseListen(listen);
  const reachable = host === undefined || host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${formatHostPort(reachable, port)}`;
}

/**
 * The agent's URL: `--url`, else the config's `server.listen`. Without `--config` and
 * without the default file, the default listen address.
 */
export async function agentUrl(flags: { url?: string; config?: string }, defaultConfig: string): Promise<string> {
  if (flags.url !== undefined) {
    if (!/^https?:\/\/[^/]/.test(flags.url)) throw usageError(`--url ${flags.url}: must be an http:// or https:// URL`);
    return flags.url.replace(/\/+$/, '');
  }
  if (flags.config === undefined && !existsSync(defaultConfig)) return DEFAULT_AGENT_URL;
  return listenUrl((await loadConfig(flags.config ?? defaultConfig)).server.listen);
}

function why(error: unknown): string {
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  return errorMessage(cause);
}

/** GETs a status API path and parses its JSON. */
export async function getApi<T>(base: string, path: string): Promise<T> {
  const url = `${base}${path}`;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (error) {
    throw new CanaryError(ERROR_CODES.state, `cannot reach the agent at ${base}: ${why(error)}`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const error = (body as { error?: unknown } | undefined)?.error;
  if (res.status === 400) throw usageError(typeof error === 'string' ? error : `the agent refused ${path}`);
  if (res.status === 404 && error === undefined)
    throw new CanaryError(ERROR_CODES.state, `the agent at ${base} has no status API (${path} answered 404)`);
  if (res.status !== 200 || body === undefined)
    throw new CanaryError(
      ERROR_CODES.state,
      `the agent at ${base} answered ${res.status} to ${path}${typeof error === 'string' ? `: ${error}` : ''}`,
    );
  return body as T;
}
