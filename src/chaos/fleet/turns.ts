/**
 * Regions take turns without a coordinator: one `schedule.fleet` shipped to every agent
 * gives the region at index i the slot `tick + i × gap`. Pure arithmetic, so every agent
 * computes the same turns from the same config.
 */
import { formatDuration } from '../../config/units.js';
import type { FleetTurns } from '../model/experiment.js';

const DAY_SECONDS = 24 * 3600;

/** How long after a cron tick `region` starts; undefined when it has no turn. */
export function turnDelayMs(fleet: FleetTurns, region: string): number | undefined {
  const index = fleet.regions.indexOf(region);
  return index < 0 ? undefined : index * fleet.gapMs;
}

/** From the first region's start to the last one's. */
export function turnsSpanMs(fleet: FleetTurns): number {
  return (fleet.regions.length - 1) * fleet.gapMs;
}

/** A cron expression's fields as node-cron parses them. */
export interface CronFields {
  second: number[];
  minute: number[];
  hour: number[];
  dayOfMonth: (number | string)[];
  month: number[];
  dayOfWeek: (number | string)[];
}

/**
 * The shortest time between two ticks when it is known for sure, else undefined. Within a
 * day it is the smallest gap between firing times; across midnight it counts when two
 * neighbouring weekdays fire (with days of the month or months narrowed, the next firing day
 * is not known without a calendar).
 */
export function shortestPeriodMs(fields: CronFields): number | undefined {
  const times: number[] = [];
  for (const h of [...fields.hour].sort((a, b) => a - b))
    for (const m of [...fields.minute].sort((a, b) => a - b))
      for (const s of [...fields.second].sort((a, b) => a - b)) times.push(h * 3600 + m * 60 + s);
  let shortest = Infinity;
  for (let i = 1; i < times.length; i++) shortest = Math.min(shortest, times[i]! - times[i - 1]!);
  if (firesOnNeighbouringDays(fields) && times.length > 0)
    shortest = Math.min(shortest, times[0]! + DAY_SECONDS - times.at(-1)!);
  return Number.isFinite(shortest) ? shortest * 1000 : undefined;
}

/** Some two neighbouring weekdays both fire, every day of every month. */
function firesOnNeighbouringDays(fields: CronFields): boolean {
  if (fields.dayOfMonth.length < 31 || fields.month.length < 12) return false;
  const days = new Set(fields.dayOfWeek.map((d) => Number(d) % 7));
  return [...days].some((d) => days.has((d + 1) % 7));
}

/** Why the turns do not fit between two ticks, or undefined when they do (or it cannot be known). */
export function turnsMisfit(fleet: FleetTurns, fields: CronFields | undefined): string | undefined {
  const period = fields ? shortestPeriodMs(fields) : undefined;
  const span = turnsSpanMs(fleet);
  if (period === undefined || span < period) return undefined;
  return (
    `the last region starts ${formatDuration(span)} after the tick, but the cron fires every ${formatDuration(period)}: ` +
    'turns would overlap the next tick (fewer regions, a shorter gap, or a sparser cron)'
  );
}
