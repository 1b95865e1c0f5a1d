/**
 * The fleet grid (pure): each check's state by region and its quorum verdict, built from
 * two instant answers of the fleet's Prometheus. The PromQL is the shipped rules' own, so
 * the page says "quorum" exactly when CanaryCheckDownQuorum's condition holds.
 */
import type { PromSample } from '../../chaos/promql/verdict.js';

/**
 * One series per check and region: 1 when the latest run failed from every agent of the
 * region (deploy/prometheus/rules/canary-sli.yml records it).
 */
export const DOWN_BY_REGION = 'canary:check_down:bool';

/**
 * The condition of the CanaryCheckDownQuorum alert, copied verbatim from
 * deploy/prometheus/rules/canary-regions.yml (a test compares the two): one series per
 * check down in more than half of the regions that report it.
 */
export const QUORUM_EXPR = `canary:check_regions_down:count
  > on (check) (canary:check_regions:count / 2)`;

/** Checks in one answer at most: a fleet of any size leaves a page that still loads. */
export const FLEET_MAX_CHECKS = 1000;

/** One check's row: 1 (up) or 0 (down) by region, as probe_success has it. */
export interface FleetCheck {
  check: string;
  regions: Record<string, 0 | 1>;
  down: number;
  total: number;
  quorum: boolean;
}

export interface FleetGrid {
  configured: true;
  regions: string[];
  checks: FleetCheck[];
  /** Checks Prometheus reported, before the limit. */
  totalChecks: number;
  truncated: boolean;
  generatedAt: string;
}

function rowsOf(down: readonly PromSample[], quorum: ReadonlySet<string>): Map<string, FleetCheck> {
  const rows = new Map<string, FleetCheck>();
  for (const sample of down) {
    const { check, region } = sample.labels;
    if (check === undefined || region === undefined || Number.isNaN(sample.value)) continue;
    let row = rows.get(check);
    if (!row) {
      row = { check, regions: {}, down: 0, total: 0, quorum: quorum.has(check) };
      rows.set(check, row);
    }
    const isDown = sample.value === 1;
    row.regions[region] = isDown ? 0 : 1;
    row.total++;
    if (isDown) row.down++;
  }
  return rows;
}

/** Quorum first, then the most regions down, then by name. */
function byConcern(a: FleetCheck, b: FleetCheck): number {
  if (a.quorum !== b.quorum) return a.quorum ? -1 : 1;
  if (a.down !== b.down) return b.down - a.down;
  return a.check < b.check ? -1 : a.check > b.check ? 1 : 0;
}

/** The grid from the samples of DOWN_BY_REGION and of QUORUM_EXPR at one instant. */
export function fleetGrid(
  down: readonly PromSample[],
  quorum: readonly PromSample[],
  now: number,
  limit: number = FLEET_MAX_CHECKS,
): FleetGrid {
  const quorumChecks = new Set(quorum.flatMap((s) => (s.labels.check === undefined ? [] : [s.labels.check])));
  const all = [...rowsOf(down, quorumChecks).values()].sort(byConcern);
  const checks = all.slice(0, limit);
  const regions = [...new Set(checks.flatMap((c) => Object.keys(c.regions)))].sort();
  return {
    configured: true,
    regions,
    checks,
    totalChecks: all.length,
    truncated: all.length > checks.length,
    generatedAt: new Date(now).toISOString(),
  };
}
