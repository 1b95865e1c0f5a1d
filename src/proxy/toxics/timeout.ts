import { z } from 'zod';
import { defineToxic } from './types.js';

/**
 * `timeout`: no data gets through while the toxic is in place; after `timeout` ms the
 * connection is closed. With `timeout: 0` it is never closed, and data flows again once the
 * toxic is removed (data sent meanwhile is lost, as on a black-holed link).
 */
export const timeoutToxic = defineToxic({
  type: 'timeout',
  attributes: z.strictObject({
    /** Milliseconds before the connection is closed; 0 keeps it open. */
    timeout: z.number().int().nonnegative().default(0),
  }),
  create: (attrs, context) => {
    context.activated();
    const timer = attrs.timeout > 0 ? setTimeout(() => context.close(), attrs.timeout) : undefined;
    return {
      data: () => Promise.resolve(),
      // The sender's FIN is held back too: a black hole does not pass a close on.
      end: () =>
        new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve(), { once: true })),
      dispose: () => clearTimeout(timer),
    };
  },
});
