import { z } from 'zod';
import { defineToxic, passThrough } from './types.js';

/**
 * `reset_peer`: after `timeout` ms (0: at once) the connection is torn down with a TCP RST,
 * so the peer sees "connection reset by peer" (ECONNRESET), not a clean close.
 */
export const resetPeerToxic = defineToxic({
  type: 'reset_peer',
  attributes: z.strictObject({
    /** Milliseconds before the reset. */
    timeout: z.number().int().nonnegative().default(0),
  }),
  create: (attrs, context) => {
    const fire = () => {
      context.activated();
      context.reset();
    };
    const timer = setTimeout(fire, attrs.timeout);
    return { data: passThrough, dispose: () => clearTimeout(timer) };
  },
});
