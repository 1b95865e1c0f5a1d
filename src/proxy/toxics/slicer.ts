import { setImmediate } from 'node:timers/promises';
import { z } from 'zod';
import { sleep } from '../time.js';
import { defineToxic } from './types.js';

/**
 * `slicer`: cuts each chunk into slices of about `average_size` bytes (plus or minus up to
 * `size_variation`), `delay` microseconds apart: many small TCP segments instead of one.
 */
export const slicerToxic = defineToxic({
  type: 'slicer',
  attributes: z
    .strictObject({
      /** Mean slice size in bytes. */
      average_size: z.number().int().positive().default(1),
      /** Largest deviation from `average_size`, in bytes; below `average_size`. */
      size_variation: z.number().int().nonnegative().default(0),
      /** Pause between slices in microseconds. */
      delay: z.number().int().nonnegative().default(0),
    })
    .refine((a) => a.size_variation < a.average_size, {
      message: 'size_variation must be smaller than average_size',
      path: ['size_variation'],
    }),
  create: (attrs, context) => ({
    async data(chunk, next) {
      context.activated();
      let at = 0;
      while (at < chunk.data.length && !context.signal.aborted) {
        const variation = Math.round((Math.random() * 2 - 1) * attrs.size_variation);
        const size = attrs.average_size + variation;
        await next({ data: chunk.data.subarray(at, at + size), receivedAt: chunk.receivedAt });
        at += size;
        // The pause is in microseconds; timers have millisecond resolution, so sub-ms delays
        // still yield to the event loop, which is what splits the writes into segments.
        if (at < chunk.data.length) {
          await sleep(attrs.delay / 1000, context.signal);
          await setImmediate();
        }
      }
    },
  }),
});
