import { isDeepStrictEqual } from 'node:util';
import type { Config } from './types.js';

/**
 * Settings a running agent cannot take on without a restart: the listening socket, the
 * control API's token, the web config file's path, the `/probe` limits, the registry's
 * default labels, the concurrency gate, probe workers and seed, the browser checks' Chromium,
 * the exporters, the `/probe` modules (a blackbox file's too) and chaos (its state dir holds
 * locks and journals).
 */
const RESTART_ONLY: readonly (readonly string[])[] = [
  ['agent'],
  ['server', 'listen'],
  ['server', 'token'],
  // Which file; what it says is reloaded by the server itself when it changes.
  ['server', 'webConfig'],
  ['server', 'probe'],
  ['probes', 'concurrency'],
  ['probes', 'workers'],
  // The shared Chromium is launched with these.
  ['probes', 'browser'],
  ['probes', 'seed'],
  ['modules'],
  // Beside `modules`: which blackbox file, and its modules /probe refuses.
  ['blackboxConfig'],
  ['moduleRefusals'],
  ['chaos'],
  ['exporters'],
];

function get(value: unknown, path: readonly string[]): unknown {
  let node = value;
  for (const key of path) node = (node as Record<string, unknown> | undefined)?.[key];
  return node;
}

function set(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  const child = { ...(target[head] as Record<string, unknown>) };
  set(child, rest, value);
  target[head] = child;
}

/** What a reload takes from a newly loaded config. */
export interface MergedConfig {
  /** The new config with every restart-only setting kept as it runs now. */
  config: Config;
  /** Dotted keys that changed in the file but need a restart, e.g. `server.listen`. */
  restart: string[];
}

/**
 * Merges a newly loaded config into the running one: checks, probe files, defaults,
 * discovery and OpenAPI specs come from `next`; restart-only settings stay as in
 * `current` and are listed when they differ, so the log can say "needs a restart".
 */
export function mergeReloadable(current: Config, next: Config): MergedConfig {
  const merged: Record<string, unknown> = { ...next };
  const restart: string[] = [];
  for (const path of RESTART_ONLY) {
    const running = get(current, path);
    if (!isDeepStrictEqual(running, get(next, path))) restart.push(path.join('.'));
    set(merged, path, running);
  }
  return { config: Object.freeze(merged) as unknown as Config, restart };
}
