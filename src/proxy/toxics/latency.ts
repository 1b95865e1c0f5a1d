import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { sleep } from '../time.js';
import { defineToxic } from './types.js';

/**
 * `latency`: delays every chunk by `latency` ms, plus or minus up to `jitter` ms. The delay
 * counts from when the chunk arrived, so back-to-back chunks are not delayed cumulatively.
 */
export const latencyToxic = defineToxic({
  type: 'latency',
  attributes: z.strictObject({
    /** Added delay in milliseconds. */
    latency: z.number().int().nonnegative().default(0),
    /** Random variation in milliseconds, in both directions. */
    jitter: z.number().int().nonnegative().default(0),
  }),
  create: (attrs, context) => ({
    async data(chunk, next) {
      const jitter = attrs.jitter > 0 ? (Math.random() * 2 - 1) * attrs.jitter : 0;
      const due = chunk.receivedAt + Math.max(0, attrs.latency + jitter);
      context.activated();
      await sleep(due - performance.now(), context.signal);
      await next(chunk);
    },
  }),
});
