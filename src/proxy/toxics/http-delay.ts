import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { RequestFramer } from '../http-framer.js';
import { sleep } from '../time.js';
import { defineToxic } from './types.js';

/**
 * `http_delay` (not in Toxiproxy): holds a share (`toxicity`, rolled per request) of
 * HTTP/1.1 requests for `delay` ms before forwarding them. Runs on the `upstream` stream.
 */
export const httpDelayToxic = defineToxic({
  type: 'http_delay',
  toxicityPer: 'request',
  attributes: z.strictObject({
    /** Milliseconds a chosen request is held. */
    delay: z.number().int().nonnegative().default(0),
  }),
  create: (attrs, context, toxicity) => {
    const framer = new RequestFramer();
    return {
      async data(chunk, next) {
        for (const segment of framer.push(chunk.data)) {
          if (segment.head && Math.random() < toxicity) {
            context.activated();
            await sleep(attrs.delay, context.signal);
          }
          await next({ data: segment.data, receivedAt: chunk.receivedAt });
        }
      },
      async end(next) {
        const rest = framer.flush();
        if (rest.length > 0) await next({ data: rest, receivedAt: performance.now() });
      },
    };
  },
});
