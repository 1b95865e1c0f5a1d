import { z } from 'zod';
import { isNormalPath } from '../../net/socket-path.js';
import { checkBase } from './base.js';
import { tlsSchema } from './http.js';
import { conversationFields, conversationIssues, tcpExpectSchema } from './tcp.js';

export const SOCKET_PATH_MESSAGE = 'must be an absolute unix socket path without . or .. segments (/run/app/app.sock)';

/** The unix socket's conversation: the same steps as a tcp check's, STARTTLS included. */
export const unixOptionsSchema = z.strictObject({ ...conversationFields });

export const unixCheckSchema = z
  .strictObject({
    ...checkBase,
    kind: z.literal('unix'),
    target: z.string().refine(isNormalPath, SOCKET_PATH_MESSAGE),
    unix: unixOptionsSchema.prefault({}),
    tls: tlsSchema.prefault({}),
    expect: tcpExpectSchema.prefault({}),
  })
  .superRefine((check, ctx) => {
    conversationIssues('unix', check.unix.steps, false, check.expect, ctx);
    // A socket path is no name a certificate could be checked against.
    if (check.unix.steps.some((s) => s.starttls === true) && !check.tls.insecure && check.tls.serverName === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['tls', 'serverName'],
        message:
          'a starttls step on a unix socket needs tls.serverName (the name the certificate must carry) or tls.insecure',
      });
  })
  .meta({
    description: 'A unix domain socket check: connect to the socket path, then an optional send/expect conversation.',
  });
