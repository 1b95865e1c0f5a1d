/**
 * The web configuration file, in the format Prometheus exporters share
 * (prometheus/exporter-toolkit's `--web.config.file`): TLS for the server, response
 * headers, and basic auth users with bcrypt hashes. Keys the format has but the agent
 * cannot honour are refused with a reason rather than silently ignored: a security
 * setting that does nothing is worse than an error.
 */
import { z } from 'zod';

/** Client certificate policies, as Go's crypto/tls names them. */
export const CLIENT_AUTH_TYPES = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

/** TLS versions, oldest first, by their names in the format and in Node. */
export const TLS_VERSIONS = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const;
export type TlsVersionName = keyof typeof TLS_VERSIONS;

/** Curves by their Go names, mapped to the names OpenSSL takes. */
export const CURVES = { CurveP256: 'P-256', CurveP384: 'P-384', CurveP521: 'P-521', X25519: 'X25519' } as const;

/**
 * bcrypt hashes as htpasswd (`$2y$`) and bcrypt libraries (`$2a$`, `$2b$`) write them:
 * version, two-digit cost, 53 characters of salt and hash.
 */
const BCRYPT = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

/** A documented key the agent does not implement; set, it is a problem that says so. */
function unsupported(why: string) {
  return z
    .unknown()
    .refine(() => false, { message: `not supported by canary: ${why}` })
    .optional();
}

const version = z.enum(Object.keys(TLS_VERSIONS) as [TlsVersionName, ...TlsVersionName[]]).optional();
const text = z.string().min(1).optional();

const tlsServerConfig = z.strictObject({
  cert: text.meta({ description: 'Server certificate (PEM), instead of cert_file.' }),
  key: text.meta({ description: 'Server private key (PEM), instead of key_file.' }),
  client_ca: text.meta({ description: 'CA certificates (PEM) for client certificates, instead of client_ca_file.' }),
  cert_file: text.meta({ description: 'Server certificate file, relative to the web config file.' }),
  key_file: text.meta({ description: 'Server private key file, relative to the web config file.' }),
  client_ca_file: text.meta({ description: 'CA file for client certificates, relative to the web config file.' }),
  client_auth_type: z.enum(CLIENT_AUTH_TYPES).optional(),
  min_version: version,
  max_version: version,
  prefer_server_cipher_suites: z.boolean().optional(),
  curve_preferences: z
    .array(z.enum(Object.keys(CURVES) as [keyof typeof CURVES, ...(keyof typeof CURVES)[]]))
    .min(1)
    .optional(),
  cipher_suites: unsupported('the agent uses the TLS library defaults for cipher suites'),
  client_allowed_sans: unsupported('use a client CA that signs only the clients to allow'),
});

const headers = z.strictObject({
  'Content-Security-Policy': z.string().optional(),
  'X-Frame-Options': z.enum(['deny', 'sameorigin']).optional(),
  'X-Content-Type-Options': z.literal('nosniff').optional(),
  'X-XSS-Protection': z.string().optional(),
  'Strict-Transport-Security': z.string().optional(),
});

const httpServerConfig = z.strictObject({
  // Accepted so exporter web configs load unchanged; the agent serves HTTP/1.1 either way.
  http2: z.boolean().optional(),
  headers: headers.nullish(),
});

const basicAuthUsers = z.record(
  z
    .string()
    .min(1, 'user names must not be empty')
    .regex(/^[^:]*$/, 'user names must not contain ":"'),
  z.string().regex(BCRYPT, 'must be a bcrypt hash, such as htpasswd -nBC 10 "" | tr -d \':\\n\' prints'),
);

/** The whole file; every section may be missing or empty. */
export const webConfigSchema = z.strictObject({
  tls_server_config: tlsServerConfig.nullish(),
  http_server_config: httpServerConfig.nullish(),
  basic_auth_users: basicAuthUsers.nullish(),
  rate_limit: unsupported('rate limiting belongs in a reverse proxy in front of the agent'),
});

export type WebConfigFile = z.output<typeof webConfigSchema>;
export type TlsServerConfig = z.output<typeof tlsServerConfig>;
