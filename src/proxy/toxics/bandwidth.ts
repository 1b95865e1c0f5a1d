import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { sleep } from '../time.js';
import { defineToxic } from './types.js';

/** Data goes out in slices worth this long at the configured rate, so the flow stays smooth. */
const SLICE_MS = 100;

/**
 * `bandwidth`: limits the flow to `rate` KB/s (1 KB = 1000 bytes, as Toxiproxy). Large chunks
 * are cut into 100 ms slices; a schedule carried between chunks keeps the average exact.
 */
export const bandwidthToxic = defineToxic({
  type: 'bandwidth',
  attributes: z.strictObject({
    /** KB per second; 0 means no limit. */
    rate: z.number().int().nonnegative().default(0),
  }),
  create: (attrs, context) => {
    // Bytes per millisecond equals KB per second.
    const bytesPerMs = attrs.rate;
    let nextAt = 0;
    return {
      async data(chunk, next) {
        if (bytesPerMs === 0) return next(chunk);
        context.activated();
        const sliceBytes = Math.max(1, bytesPerMs * SLICE_MS);
        for (let at = 0; at < chunk.data.length; at += sliceBytes) {
          const slice = chunk.data.subarray(at, at + sliceBytes);
          nextAt = Math.max(nextAt, performance.now()) + slice.length / bytesPerMs;
          await sleep(nextAt - performance.now(), context.signal);
          if (context.signal.aborted) return;
          await next({ data: slice, receivedAt: chunk.receivedAt });
        }
      },
    };
  },
});
