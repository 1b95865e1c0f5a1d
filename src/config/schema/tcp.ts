import { z } from 'zod';
import { checkBase, hostPortTarget, ipFamily } from './base.js';
import { duration, regex } from './common.js';
import { tlsSchema } from './http.js';

/** One exchange of a conversation: write `send`, then read lines until one matches `expect`. */
const tcpStep = z
  .strictObject({
    send: z.string().optional().meta({ description: 'Text to write, sent as is (add \\r\\n or \\n yourself).' }),
    expect: regex()
      .optional()
      .meta({ description: 'Read lines until one matches this regex; the connection closing first fails the check.' }),
  })
  .refine((s) => s.send !== undefined || s.expect !== undefined, { message: 'needs send, expect or both' })
  .meta({
    description:
      "A step of the conversation, as blackbox_exporter's query_response: expect first (when set), then send.",
  });

/** How the TCP connection is made and what is said on it. */
export const tcpOptionsSchema = z.strictObject({
  tls: z.boolean().default(false).meta({
    description: 'Start TLS right after connecting (implicit TLS, as for SMTPS or IMAPS); `tls:` holds its settings.',
  }),
  ipFamily,
  steps: z.array(tcpStep).default([]).meta({ description: 'The conversation, in order; empty: connecting is enough.' }),
  maxLineLength: z
    .int()
    .min(1)
    .max(1_048_576)
    .default(8192)
    .meta({ description: 'A longer line fails the check with reason protocol.' }),
});

/** What a TCP check expects beyond the conversation itself. */
export const tcpExpectSchema = z.strictObject({
  maxDuration: duration().optional(),
  certMinLifetime: duration()
    .optional()
    .meta({ description: 'With tcp.tls: the earliest certificate in the chain must live this long.' }),
});

export const tcpCheckSchema = z
  .strictObject({
    ...checkBase,
    kind: z.literal('tcp'),
    target: hostPortTarget,
    tcp: tcpOptionsSchema.prefault({}),
    tls: tlsSchema.prefault({}),
    expect: tcpExpectSchema.prefault({}),
  })
  .superRefine((check, ctx) => {
    if (check.expect.certMinLifetime !== undefined && !check.tcp.tls) {
      ctx.addIssue({
        code: 'custom',
        path: ['expect', 'certMinLifetime'],
        message: 'needs tcp.tls: true (there is no certificate on a plain connection)',
      });
    }
  })
  .meta({ description: 'A TCP check: connect (optionally with TLS), then an optional send/expect conversation.' });
