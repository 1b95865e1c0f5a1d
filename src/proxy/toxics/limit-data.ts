import { z } from 'zod';
import { defineToxic } from './types.js';

/** `limit_data`: passes at most `bytes` bytes in this direction, then closes the connection. */
export const limitDataToxic = defineToxic({
  type: 'limit_data',
  attributes: z.strictObject({
    /** Bytes let through before the close. */
    bytes: z.number().int().nonnegative().default(0),
  }),
  create: (attrs, context) => {
    let passed = 0;
    let closed = false;
    const closeOnce = () => {
      if (closed) return;
      closed = true;
      context.activated();
      context.close();
    };
    // A limit of 0 closes before any data; waiting for the first chunk would let it hang.
    if (attrs.bytes === 0) queueMicrotask(closeOnce);
    return {
      async data(chunk, next) {
        const room = attrs.bytes - passed;
        if (room <= 0) return closeOnce();
        const data = chunk.data.length > room ? chunk.data.subarray(0, room) : chunk.data;
        passed += data.length;
        await next({ data, receivedAt: chunk.receivedAt });
        if (passed >= attrs.bytes) closeOnce();
      },
    };
  },
});
