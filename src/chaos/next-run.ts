/**
 * When a scheduled experiment would next start inside `canary run --enable-chaos`, for
 * `chaos list`: the first cron tick that is in its windows and past its minimum gap, plus
 * the region's turn; or why there is none. The same conditions as {@link skipReason},
 * looked at ahead of time instead of at a tick.
 */
import { createTask, parse, type ScheduledTask } from 'node-cron';
import type { Experiment } from './model/experiment.js';
import { inWindows } from './cron.js';
import { turnDelayMs } from './fleet/turns.js';
import { haltStatus } from './state/halt.js';
import { JournalStore } from './state/journal.js';

/** The next start, or null with the reason. */
export type NextRun = { at: string } | { at: null; why: string };

/** How far ahead ticks are looked for: a schedule whose windows or gap skip more is said so. */
const HORIZON_DAYS = 31;
const MINUTE_MS = 60_000;

/**
 * The cron's ticks from `from` on, in the process's local time as node-cron keeps them.
 * Minutes and hours are filtered from the parsed fields (cheap); the task's own `match`
 * decides the rest, so day-of-month and day-of-week mean what they mean to the scheduler.
 */
function* cronTicks(pattern: string, task: ScheduledTask, from: number): Generator<number> {
  const fields = parse(pattern);
  const seconds = [...fields.second].sort((a, b) => a - b);
  let minute = Math.floor(from / MINUTE_MS) * MINUTE_MS;
  for (let i = 0; i < HORIZON_DAYS * 24 * 60; i++, minute += MINUTE_MS) {
    const at = new Date(minute);
    if (!fields.minute.includes(at.getMinutes()) || !fields.hour.includes(at.getHours())) continue;
    for (const second of seconds) {
      const tick = minute + second * 1000;
      if (tick >= from && task.match(new Date(tick))) yield tick;
    }
  }
}

/** Why nothing is scheduled regardless of time, or undefined. */
async function blocked(exp: Experiment, stateDir: string, enabled: boolean): Promise<string | undefined> {
  if (!enabled) return 'chaos is disabled in the config';
  if (!exp.schedule) return 'not scheduled: runs only by hand';
  if (exp.requireApproval) return 'requireApproval: scheduled runs have no second person to approve them';
  const halted = await haltStatus(stateDir);
  if (halted) return `chaos is halted (by ${halted.operator}: ${halted.reason})`;
  return undefined;
}

/** The next start of `exp` after `now` for an agent in `region`. */
export async function nextRun(
  exp: Experiment,
  stateDir: string,
  options: { enabled: boolean; region: string; now?: Date },
): Promise<NextRun> {
  const why = await blocked(exp, stateDir, options.enabled);
  if (why !== undefined || !exp.schedule) return { at: null, why: why ?? 'not scheduled' };
  const schedule = exp.schedule;
  const now = options.now ?? new Date();
  const fleet = schedule.fleet;
  const delay = fleet ? turnDelayMs(fleet, options.region) : 0;
  if (delay === undefined) return { at: null, why: `no turn for region ${options.region} in its fleet schedule` };
  const last = await new JournalStore(stateDir).lastEnded(exp.name);
  const earliest = last ? last.getTime() + schedule.minGapMs : now.getTime();
  const task = createTask(schedule.cron, () => undefined);
  try {
    for (const tick of cronTicks(schedule.cron, task, Math.max(earliest, now.getTime())))
      if (inWindows(new Date(tick), schedule.windows)) return { at: new Date(tick + delay).toISOString() };
  } finally {
    await task.destroy();
  }
  const gap = earliest > now.getTime() ? ` after its minimum gap ends at ${new Date(earliest).toISOString()}` : '';
  return { at: null, why: `no cron tick in its windows within ${HORIZON_DAYS} days${gap}` };
}
