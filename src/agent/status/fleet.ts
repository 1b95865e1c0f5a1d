/**
 * `GET /api/v1/fleet`: the fleet grid, asked of `server.ui.prometheus` with two instant
 * queries at one instant. Every viewer's poll would otherwise be two queries: concurrent
 * requests share one round, and an answer is reused for a second.
 */
import { queryPrometheus } from '../../chaos/promql/client.js';
import { DOWN_BY_REGION, fleetGrid, QUORUM_EXPR, type FleetGrid } from './fleet-grid.js';

/** How long the agent waits for Prometheus: a page polling every 2 s must not pile up. */
export const FLEET_TIMEOUT_MS = 5000;
const REUSE_MS = 1000;

export type FleetAnswer = { configured: false } | FleetGrid | { configured: true; error: string };

/** Asks Prometheus at `base` for the grid; an unreachable or failing Prometheus is an error in the answer. */
export async function askFleet(base: string, now: number = Date.now()): Promise<FleetAnswer> {
  const [down, quorum] = await Promise.all([
    queryPrometheus(base, DOWN_BY_REGION, FLEET_TIMEOUT_MS, undefined, now),
    queryPrometheus(base, QUORUM_EXPR, FLEET_TIMEOUT_MS, undefined, now),
  ]);
  if (!down.ok) return { configured: true, error: `prometheus: ${down.error}` };
  if (!quorum.ok) return { configured: true, error: `prometheus: ${quorum.error}` };
  return fleetGrid(down.samples, quorum.samples, now);
}

/** The fleet answer for the Prometheus `base()` names now (it may change on reload), shared and briefly reused. */
export function fleetSource(base: () => string | undefined): () => Promise<FleetAnswer> {
  let last: { base: string; at: number; settled: boolean; answer: Promise<FleetAnswer> } | undefined;
  return () => {
    const url = base();
    if (url === undefined) return Promise.resolve({ configured: false });
    const now = Date.now();
    if (last && last.base === url && (!last.settled || now - last.at < REUSE_MS)) return last.answer;
    const round = { base: url, at: now, settled: false, answer: askFleet(url, now) };
    void round.answer.finally(() => (round.settled = true));
    last = round;
    return round.answer;
  };
}
