import { z } from 'zod';
import { checkBase } from './base.js';
import { duration, regex } from './common.js';
import { jsonPath, jsonScalar, tlsSchema } from './http.js';

/** RFC 7230's token: what a header name and a subprotocol may be made of. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Headers the handshake itself sets: written by hand they would break it, and the
 * subprotocols have a key of their own.
 */
export const WEBSOCKET_HANDSHAKE_HEADERS = [
  'upgrade',
  'connection',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
] as const;

const headerName = z
  .string()
  .regex(TOKEN, "header names must be HTTP tokens (letters, digits and !#$%&'*+.^_`|~-)")
  .refine((name) => !(WEBSOCKET_HANDSHAKE_HEADERS as readonly string[]).includes(name.toLowerCase()), {
    message: `is set by the handshake itself (${WEBSOCKET_HANDSHAKE_HEADERS.join(', ')}); subprotocols go in websocket.subprotocols`,
  });

// A line break in a value would let a config smuggle a header (or a request) into the handshake.
const headerValue = z.string().regex(/^[^\r\n\0]*$/, 'header values may not contain line breaks or NUL');

const expectJson = z
  .strictObject({ path: jsonPath, equals: jsonScalar.optional(), matches: regex().optional() })
  .refine((j) => j.equals === undefined || j.matches === undefined, {
    message: 'takes at most one of equals or matches (a path alone means the value must be there)',
  })
  .meta({ description: 'The message, parsed as JSON, must hold a value at `path` (equal to, or matching).' });

const websocketStep = z
  .strictObject({
    send: z.string().optional().meta({ description: 'A text message to send.' }),
    expect: regex().optional().meta({ description: 'The next message received must match this regex.' }),
    expectJson: expectJson.optional(),
  })
  .refine((s) => s.send !== undefined || s.expect !== undefined || s.expectJson !== undefined, {
    message: 'needs send, expect, expectJson or a combination',
  })
  .meta({
    description:
      'A step of the conversation: send first (when set), then the next message received is judged by expect and expectJson.',
  });

export const websocketOptionsSchema = z.strictObject({
  headers: z
    .record(headerName, headerValue)
    .default({})
    .meta({ description: 'Extra request headers of the upgrade request; a Host entry replaces the URL host.' }),
  subprotocols: z
    .array(z.string().regex(TOKEN, 'subprotocols must be HTTP tokens'))
    .default([])
    .meta({ description: 'Offered in Sec-WebSocket-Protocol; the server must pick one of them or none.' }),
  steps: z
    .array(websocketStep)
    .default([])
    .meta({ description: 'The conversation, in order; empty: the upgrade is enough.' }),
  closeCode: z.int().min(1000).max(4999).optional().meta({
    description:
      'After the steps, wait for the server to close and expect this close code (1006 stands for a connection dropped without a close frame). Without it, the probe closes with 1000.',
  }),
});

export const websocketExpectSchema = z.strictObject({ maxDuration: duration().optional() });

/** The target of a websocket check: an absolute ws:// or wss:// URL. */
export const websocketTarget = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'ws:' || url.protocol === 'wss:') && url.hostname !== '' && url.hash === '';
    } catch {
      return false;
    }
  },
  { message: 'must be a ws:// or wss:// URL without a #fragment, e.g. wss://example.com/socket' },
);

export const websocketCheckSchema = z
  .strictObject({
    ...checkBase,
    kind: z.literal('websocket'),
    target: websocketTarget,
    websocket: websocketOptionsSchema.prefault({}),
    tls: tlsSchema.prefault({}).meta({ description: 'TLS settings for wss:// targets.' }),
    expect: websocketExpectSchema.prefault({}),
  })
  .meta({
    description:
      'A WebSocket check: the upgrade handshake (101), then an optional send/expect conversation and the close.',
  });
