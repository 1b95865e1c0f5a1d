/**
 * Credentials and routing of an HTTP request: `http.auth` (basic, bearer, OAuth2 client
 * credentials) and `http.proxy`. Secret values may come from files: `passwordFile`,
 * `tokenFile` and `clientSecretFile` are read when the config is loaded (and again on
 * reload) and stand for `password`, `token` and `clientSecret` (config/secret-files.ts).
 */
import { z } from 'zod';

function absoluteUrl(protocols: readonly string[]) {
  return z.string().refine(
    (value) => {
      try {
        const url = new URL(value);
        return protocols.includes(url.protocol) && url.hostname !== '';
      } catch {
        return false;
      }
    },
    `must be an absolute ${protocols.map((p) => `${p}//`).join(' or ')} URL`,
  );
}

const basicAuth = z
  .strictObject({
    username: z.string(),
    password: z.string().default('').meta({ description: 'The password, or passwordFile: a file holding it.' }),
  })
  .meta({ description: 'HTTP Basic authentication (RFC 7617).' });

const bearerAuth = z
  .strictObject({
    token: z.string().min(1).meta({ description: 'The token, or tokenFile: a file holding it.' }),
  })
  .meta({ description: 'A fixed bearer token, sent as `Authorization: Bearer TOKEN`.' });

const oauth2Auth = z
  .strictObject({
    tokenUrl: absoluteUrl(['http:', 'https:']).meta({ description: "The authorization server's token endpoint." }),
    clientId: z.string().min(1),
    clientSecret: z
      .string()
      .default('')
      .meta({ description: 'The client secret, or clientSecretFile: a file holding it.' }),
    scopes: z.array(z.string().min(1)).default([]),
    endpointParams: z
      .record(z.string(), z.string())
      .default({})
      .meta({ description: 'Extra form parameters of the token request (audience, resource).' }),
  })
  .meta({
    description:
      'OAuth 2.0 client credentials grant: a token is fetched from tokenUrl, kept until shortly before it expires, and sent as a bearer token.',
  });

/** `http.auth`: one way of authenticating the request. */
export const httpAuthSchema = z
  .strictObject({ basic: basicAuth.optional(), bearer: bearerAuth.optional(), oauth2: oauth2Auth.optional() })
  .refine((a) => [a.basic, a.bearer, a.oauth2].filter((v) => v !== undefined).length === 1, {
    message: 'needs exactly one of basic, bearer or oauth2',
  })
  .meta({ description: 'Authenticates the request: basic, bearer or oauth2 (client credentials), one of them.' });

/** `http.proxy`: an HTTP proxy every request of the check goes through. */
export const httpProxySchema = z
  .strictObject({
    url: absoluteUrl(['http:']).meta({
      description:
        'The proxy, http://[user:password@]host:port. Credentials in it are sent as Proxy-Authorization (Basic).',
    }),
    connectHeaders: z
      .record(
        z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be a header name (letters, digits, - and the like)'),
        z.string().regex(/^[^\r\n]*$/, 'must be one line'),
      )
      .default({})
      .meta({ description: 'Headers sent to the proxy with each CONNECT (https targets).' }),
  })
  .meta({
    description:
      'Send requests through an HTTP proxy: http targets as forward-proxy requests, https targets through a CONNECT tunnel (TLS stays end to end).',
  });

export type HttpAuth = z.output<typeof httpAuthSchema>;
export type OAuth2Options = NonNullable<HttpAuth['oauth2']>;
export type HttpProxy = z.output<typeof httpProxySchema>;
