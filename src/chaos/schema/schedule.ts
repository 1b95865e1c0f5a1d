import { validateDetailed } from 'node-cron';
import { z } from 'zod';
import { duration } from '../../config/schema/common.js';
import { turnsMisfit } from '../fleet/turns.js';
import type { ExperimentSchedule, TimeWindow } from '../model/experiment.js';

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const DAY_MESSAGE = 'must be a day: mon, tue, wed, thu, fri, sat, sun, or 0..6 with 0 = Sunday';

/** A day of the week as written (`mon` or `1`), as a number with 0 = Sunday. */
const daySchema = z
  .union([z.string(), z.number()])
  .transform((day, ctx) => {
    const index = typeof day === 'number' ? day : DAY_NAMES.indexOf(day.toLowerCase() as (typeof DAY_NAMES)[number]);
    if (!Number.isInteger(index) || index < 0 || index > 6) {
      ctx.addIssue({ code: 'custom', message: DAY_MESSAGE });
      return z.NEVER;
    }
    return index;
  })
  .meta({ description: 'mon..sun, or 0..6 with 0 = Sunday.' });

const TIME_MESSAGE = 'must be a time of day HH:MM, e.g. 09:00 (24:00 for the end of the day)';

/** `HH:MM` as minutes after midnight. */
const timeOfDay = z
  .string({ error: TIME_MESSAGE })
  // abort: a malformed time must not also be compared with the other end of its window.
  .regex(/^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/, { message: TIME_MESSAGE, abort: true })
  .transform((text) => Number(text.slice(0, 2)) * 60 + Number(text.slice(3)));

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const windowSchema = z
  .strictObject({
    days: z.array(daySchema).min(1),
    start: timeOfDay,
    end: timeOfDay,
    timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin or UTC'),
  })
  .refine((w) => w.end > w.start, {
    path: ['end'],
    message: 'must be after start (a window across midnight is written as two windows)',
  })
  .transform((w): TimeWindow => ({
    days: [...new Set(w.days)].sort((a, b) => a - b),
    startMinute: w.start,
    endMinute: w.end,
    timeZone: w.timeZone,
  }))
  .meta({ description: 'Days and hours, local to timeZone, in which a scheduled run may start.' });

const fleetSchema = z
  .strictObject({
    regions: z
      .array(z.string().min(1))
      .min(1, 'must name at least one region')
      .refine((r) => new Set(r).size === r.length, 'must not list a region twice')
      .meta({ description: 'The order in which regions take their turns.' }),
    gap: duration({ min: 1, minText: '1ms' }).meta({
      description: 'Time between the starts of two neighbouring regions.',
    }),
  })
  .transform(({ regions, gap }) => ({ regions, gapMs: gap }))
  .meta({ description: 'Regions take turns: the region at index i starts i × gap after each cron tick.' });

/** When the agent starts an experiment on its own. */
export const scheduleSchema = z
  .strictObject({
    cron: z
      .string()
      .superRefine((cron, ctx) => {
        const result = validateDetailed(cron);
        if (result.valid) return;
        const why = result.errors
          .map((e) =>
            e.field === 'expression' ? e.message : `${e.field} field "${e.value ?? ''}" is out of range or malformed`,
          )
          .join('; ');
        ctx.addIssue({ code: 'custom', message: `invalid cron expression "${cron}": ${why}` });
      })
      .meta({ description: 'node-cron expression (5 or 6 fields) for when to start.' }),
    windows: z.array(windowSchema).default([]).meta({ description: 'Empty: any time.' }),
    minGap: duration()
      .prefault('0s')
      .meta({ description: 'Least time between the end of one run and the start of the next.' }),
    fleet: fleetSchema.optional(),
  })
  .superRefine(({ cron, fleet }, ctx) => {
    // Only once the fleet itself is valid: a bad gap is reported once, where it is written.
    const why = typeof fleet?.gapMs === 'number' ? turnsMisfit(fleet, validateDetailed(cron).fields) : undefined;
    if (why) ctx.addIssue({ code: 'custom', path: ['fleet', 'gap'], message: why });
  })
  .transform(({ cron, windows, minGap, fleet }): ExperimentSchedule => ({
    cron,
    windows,
    minGapMs: minGap,
    ...(fleet ? { fleet } : {}),
  }));
