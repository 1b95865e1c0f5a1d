import { performance } from 'node:perf_hooks';
import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import { RequestFramer } from '../http-framer.js';
import { defineToxic } from './types.js';

/** The injected answer; `Connection: close` because the connection ends right after it. */
function response(status: number, body: string | undefined): Buffer {
  const reason = STATUS_CODES[status] ?? 'Unknown';
  const text = body ?? `${status} ${reason} (injected fault)\n`;
  const head =
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: text/plain; charset=utf-8\r\n` +
    `content-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(text)]);
}

/**
 * `http_status` (not in Toxiproxy): answers a share (`toxicity`, rolled per request) of
 * HTTP/1.1 requests with `status` instead of forwarding them, then closes the connection.
 * Closing keeps framing simple: no response from the server can be in flight behind ours.
 * Runs on the `upstream` stream, where the requests are.
 */
export const httpStatusToxic = defineToxic({
  type: 'http_status',
  toxicityPer: 'request',
  attributes: z.strictObject({
    /** Status code of the injected answer. */
    status: z.number().int().min(100).max(599).default(503),
    /** Body of the injected answer; omitted: a one-line text naming the status. */
    body: z
      .string()
      .max(64 * 1024)
      .optional(),
  }),
  create: (attrs, context, toxicity) => {
    const framer = new RequestFramer();
    let answered = false;
    return {
      async data(chunk, next) {
        for (const segment of framer.push(chunk.data)) {
          if (answered) return;
          if (segment.head && Math.random() < toxicity) {
            answered = true;
            context.activated();
            context.answer(response(attrs.status, attrs.body));
            return;
          }
          await next({ data: segment.data, receivedAt: chunk.receivedAt });
        }
      },
      async end(next) {
        // A partial head left when the client closes is still the client's data.
        const rest = framer.flush();
        if (rest.length > 0 && !answered) await next({ data: rest, receivedAt: performance.now() });
      },
    };
  },
});
