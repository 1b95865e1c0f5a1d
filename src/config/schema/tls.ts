import { z } from 'zod';
import { checkBase, hostPortTarget } from './base.js';
import { duration } from './common.js';
import { tlsSchema } from './http.js';

/** TLS protocol versions, as Node names them. */
export const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;

/** What a TLS check expects of the handshake and the certificates. */
export const tlsExpectSchema = z.strictObject({
  minDaysToExpiry: z
    .number()
    .min(0)
    .optional()
    .meta({ description: 'The earliest certificate in the chain must live at least this many days.' }),
  hostnameMatch: z.boolean().optional().meta({
    description:
      'The leaf certificate must (true) or must not (false) be valid for the server name; checked even with tls.insecure.',
  }),
  versions: z
    .array(z.enum(TLS_VERSIONS))
    .min(1)
    .optional()
    .meta({ description: 'The negotiated protocol must be one of these.' }),
  maxDuration: duration().optional(),
});

export const tlsCheckSchema = z
  .strictObject({
    ...checkBase,
    kind: z.literal('tls'),
    target: hostPortTarget,
    tls: tlsSchema.prefault({}),
    expect: tlsExpectSchema.prefault({}),
  })
  .meta({
    description:
      'A TLS check: a handshake only. An untrusted chain or a name mismatch fails with reason tls (unless tls.insecure); the facts are reported either way.',
  });

export type TlsExpect = z.output<typeof tlsExpectSchema>;
