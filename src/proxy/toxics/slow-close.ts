import { z } from 'zod';
import { sleep } from '../time.js';
import { defineToxic, passThrough } from './types.js';

/** `slow_close`: when the sender closes, waits `delay` ms before passing the close on. */
export const slowCloseToxic = defineToxic({
  type: 'slow_close',
  attributes: z.strictObject({
    /** Milliseconds between the sender's FIN and ours. */
    delay: z.number().int().nonnegative().default(0),
  }),
  create: (attrs, context) => ({
    data: passThrough,
    async end() {
      context.activated();
      await sleep(attrs.delay, context.signal);
    },
  }),
});
