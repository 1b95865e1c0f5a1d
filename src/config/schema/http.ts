import { z } from 'zod';
import { ipFallback } from './base.js';
import { celExpression } from './cel.js';
import { duration, regex, size } from './common.js';
import { httpAuthSchema, httpProxySchema } from './http-auth.js';

const statusPattern = /^(?:[1-5]xx|[1-5]\d\d(?:-[1-5]\d\d)?)$/;

/** One accepted status: a code (200), a class (`2xx`) or an inclusive range (`200-299`). */
export const statusMatcher = z
  .union([
    z.int().min(100).max(599),
    z
      .string()
      .regex(statusPattern, {
        message: 'must be a status code, a class like 2xx, or a range like 200-299',
        abort: true,
      })
      .refine(
        (s) => !s.includes('-') || Number(s.slice(0, 3)) <= Number(s.slice(4)),
        'a range must be low-high, e.g. 200-299',
      ),
  ])
  .meta({ description: 'A status code (200), a class (2xx) or an inclusive range (200-299).' });

/**
 * Accepted statuses: a list, or one status alone (`status: 200` is `status: [200]`). The
 * list comes first so a bad item is reported at its own index (`status[1]`).
 */
export const statusList = z
  .union([z.array(statusMatcher).min(1), statusMatcher])
  .transform((value) => (Array.isArray(value) ? value : [value]))
  .meta({ description: 'Accepted statuses: one, or a list; any one matching passes.' });

const headerExpectation = z
  .strictObject({
    name: z.string().min(1),
    equals: z.string().optional(),
    matches: regex().optional(),
    notMatches: regex().optional().meta({ description: 'The header, when present, must not match this regex.' }),
    absent: z.boolean().optional(),
    allowMissing: z.boolean().optional().meta({
      description: 'With matches or notMatches: an absent header passes (blackbox_exporter allow_missing).',
    }),
  })
  .refine((h) => [h.equals, h.matches, h.notMatches, h.absent].filter((v) => v !== undefined).length === 1, {
    message: 'needs exactly one of equals, matches, notMatches or absent',
  })
  .meta({ description: 'An expectation on a response header: exact value, regex, or absence.' });

const bodyExpectation = z
  .strictObject({ matches: regex().optional(), notMatches: regex().optional() })
  .refine((b) => (b.matches === undefined) !== (b.notMatches === undefined), {
    message: 'needs exactly one of matches or notMatches',
  })
  .meta({ description: 'The body must (matches) or must not (notMatches) match a regex.' });

/** A simple JSON path (`$.a.b`, `$.items[0]`, `$["a-b"]`); websocket's `expectJson` takes it too. */
export const jsonPath = z
  .string()
  .regex(
    /^\$(?:\.[A-Za-z_$][\w$-]*|\[\d+\]|\["[^"]*"\])*$/,
    'must be a JSON path such as $.status, $.items[0].id or $["a-b"]',
  );

/** A JSON scalar an `equals` compares with. */
export const jsonScalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const jsonExpectation = z
  .strictObject({
    path: jsonPath,
    equals: jsonScalar.optional(),
    matches: regex().optional(),
    exists: z.boolean().optional(),
  })
  .refine((j) => [j.equals, j.matches, j.exists].filter((v) => v !== undefined).length <= 1, {
    message: 'takes at most one of equals, matches or exists (a path alone means exists)',
  })
  .meta({ description: 'An expectation on a value in a JSON body, addressed by a simple JSON path.' });

const celExpectation = z
  .strictObject({ matches: celExpression.optional(), notMatches: celExpression.optional() })
  .refine((c) => (c.matches === undefined) !== (c.notMatches === undefined), {
    message: 'needs exactly one of matches or notMatches',
  })
  .meta({
    description:
      'A CEL expression over the body parsed as JSON (the variable `body`): it must be true (matches) or false (notMatches).',
  });

/** What an HTTP check expects of the response. Every expectation present is evaluated. */
export const httpExpectSchema = z
  .strictObject({
    status: statusList.prefault(['2xx']),
    headers: z.array(headerExpectation).default([]),
    body: z.array(bodyExpectation).default([]),
    json: z.array(jsonExpectation).default([]),
    cel: z.array(celExpectation).default([]),
    ssl: z.boolean().optional().meta({
      description: 'The final response must (true) or must not (false) have come over TLS.',
    }),
    maxDuration: duration().optional(),
    certMinLifetime: duration().optional(),
  })
  .meta({
    description: 'Expectations on the final response; every one is evaluated and the result lists each that fails.',
  });

/** How the HTTP request is made. */
export const httpRequestSchema = z.strictObject({
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET'),
  headers: z.record(z.string(), z.string()).default({}).meta({
    description:
      'Request headers. A Host entry is sent as the Host header (virtual hosts behind an IP); TLS SNI stays tls.serverName or the URL host.',
  }),
  body: z.string().optional(),
  auth: httpAuthSchema.optional(),
  proxy: httpProxySchema.optional(),
  followRedirects: z.boolean().default(true),
  maxRedirects: z.int().min(0).max(100).default(10),
  crossHostHeaders: z.enum(['drop', 'keep']).default('drop').meta({
    description:
      "On a redirect to another host: drop the check's headers (default), or keep them. Credentials (Authorization, Cookie, Proxy-Authorization) never go to another host.",
  }),
  keepAlive: z.boolean().default(false).meta({
    description:
      'Reuse connections between runs. Off by default so connect and TLS are measured as a new user meets them.',
  }),
  ipFamily: z
    .enum(['auto', 'ipv4', 'ipv6'])
    .default('auto')
    .meta({ description: 'Which address family to prefer when a name has both; auto keeps the resolver order.' }),
  ipFallback,
  compression: z.enum(['identity', 'gzip', 'deflate', 'br']).optional().meta({
    description:
      "The body is compressed this way (blackbox's compression): sent as Accept-Encoding when headers set none, and the body decompressed before expectations read it; a body that does not decompress fails with reason protocol.",
  }),
  maxBodySize: size({
    max: 64 * 1024 * 1024,
    maxText: '64MiB',
    why: 'a target could otherwise make every probe download as much',
  })
    .prefault('1MiB')
    .meta({ description: 'Largest response body read; a larger one fails with reason body_too_large. At most 64MiB.' }),
  maxHeaderSize: size({
    max: 1024 * 1024,
    maxText: '1MiB',
    why: 'header values are held whole, and configured regexes run over them',
  })
    .prefault('16KiB')
    .meta({ description: 'Largest response head read; a larger one fails the check. At most 1MiB.' }),
  traceContext: z.boolean().default(true).meta({
    description:
      "Send W3C traceparent/tracestate naming this run's span when tracing is on, so the service's own trace joins it.",
  }),
});

/** TLS settings for the connection. Verification is on unless `insecure` says otherwise. */
export const tlsSchema = z
  .strictObject({
    ca: z.string().optional().meta({ description: 'PEM file of CA certificates to trust, relative to this file.' }),
    cert: z.string().optional().meta({ description: 'PEM client certificate for mutual TLS, relative to this file.' }),
    key: z.string().optional().meta({ description: 'PEM client key for mutual TLS, relative to this file.' }),
    serverName: z
      .string()
      .optional()
      .meta({ description: 'SNI and verification name, when it differs from the URL host.' }),
    insecure: z
      .boolean()
      .default(false)
      .meta({ description: 'Skip certificate verification. Facts are still reported.' }),
  })
  .refine((t) => (t.cert === undefined) === (t.key === undefined), {
    message: 'cert and key go together: set both or neither',
  });

/** The target of an HTTP check: an absolute http:// or https:// URL. */
export const httpTarget = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}, 'must be an absolute http:// or https:// URL');

export type HttpExpect = z.output<typeof httpExpectSchema>;
export type HttpRequestOptions = z.output<typeof httpRequestSchema>;
export type TlsOptions = z.output<typeof tlsSchema>;
