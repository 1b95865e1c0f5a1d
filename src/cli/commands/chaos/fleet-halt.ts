/**
 * `canary chaos halt --fleet` and `resume --fleet`: the halt as an alert in the fleet's
 * Alertmanager, which every runner with `chaos.alertmanager` follows within a second.
 */
import { HALT_MATCH_LABELS } from '../../../chaos/fleet/alertmanager.js';
import { postFleetHalt, resolveFleetHalts } from '../../../chaos/fleet/halt.js';
import { EXIT, usageError } from '../../exit.js';
import type { Io } from '../../io.js';
import { alertmanagerUrl } from './run.js';
import { loadChaosConfig, operatorName } from './common.js';

export interface FleetOptions {
  config?: string;
  fleet?: boolean;
  alertmanager?: string;
  match: string[];
  reason?: string;
  operator?: string;
}

/** Collects repeated `--match k=v`. */
export function collectMatch(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `--match k=v` pairs, checked: only experiment, region and target. */
export function parseMatch(pairs: readonly string[]): Record<string, string> {
  const match: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq);
    if (eq <= 0 || eq === pair.length - 1 || !(HALT_MATCH_LABELS as readonly string[]).includes(key))
      throw usageError(`--match: "${pair}" must be KEY=VALUE with KEY one of ${HALT_MATCH_LABELS.join(', ')}`);
    match[key] = pair.slice(eq + 1);
  }
  return match;
}

/** The Alertmanager to use: `--alertmanager`, else `chaos.alertmanager` of the config. */
async function alertmanagerOf(options: FleetOptions, io: Io): Promise<string> {
  const flag = alertmanagerUrl(options.alertmanager);
  if (flag) return flag;
  const url = (await loadChaosConfig(io, options.config)).chaos.alertmanager;
  if (!url) throw usageError('--fleet needs --alertmanager URL or chaos.alertmanager in the config');
  return url;
}

function scopeOf(match: Record<string, string>): string {
  const pairs = Object.entries(match).map(([k, v]) => `${k}=${v}`);
  return pairs.length > 0 ? pairs.join(', ') : 'every experiment in every region';
}

/** Posts the halt; every matching runner rolls back within a second or two. */
export async function fleetHalt(options: FleetOptions, io: Io): Promise<void> {
  const match = parseMatch(options.match);
  const url = await alertmanagerOf(options, io);
  const operator = operatorName(options.operator);
  await postFleetHalt(url, { match, operator, reason: options.reason ?? '' });
  io.out(
    `chaos halted fleet-wide by ${operator} (${scopeOf(match)}) in ${url}: matching runs roll back, new ones are refused until \`canary chaos resume --fleet\``,
  );
  io.exitCode = EXIT.ok;
}

/** Resolves the matching halts (all of them without `--match`). */
export async function fleetResume(options: FleetOptions, io: Io): Promise<void> {
  const match = parseMatch(options.match);
  const url = await alertmanagerOf(options, io);
  const ended = await resolveFleetHalts(url, match);
  io.out(
    ended.length > 0
      ? `fleet halt lifted by ${operatorName(options.operator)}: ${ended.length} halt alert(s) resolved in ${url}`
      : `no fleet halt matching ${scopeOf(match)} was active in ${url}`,
  );
  io.exitCode = EXIT.ok;
}
