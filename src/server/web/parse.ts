/**
 * Reads the text of a web config file into settings, or into every problem it has, each at
 * its FILE:LINE:COL. Pure: files it names are read by `load.ts`.
 */
import { dirname, resolve } from 'node:path';
import type { Problem } from '../../errors.js';
import { issuesToProblems } from '../../config/issues.js';
import { formatPath, parseYaml, positionAt, yamlData, type YamlSource } from '../../config/yaml.js';
import { CURVES, TLS_VERSIONS, webConfigSchema, type ClientAuthType, type TlsServerConfig } from './schema.js';

/** Where a key was written, for problems found when the file it names is read. */
export interface KeyPosition {
  line: number;
  col: number;
  path: string;
}

/** Where a PEM comes from: a file (absolute path) or the web config itself. */
export type PemSource = ({ file: string } | { inline: string }) & { at: KeyPosition };

/** TLS settings of the server, paths resolved against the web config's directory. */
export interface TlsSettings {
  cert: PemSource;
  key: PemSource;
  clientCa: PemSource | undefined;
  clientAuth: ClientAuthType;
  minVersion: (typeof TLS_VERSIONS)[keyof typeof TLS_VERSIONS];
  maxVersion: (typeof TLS_VERSIONS)[keyof typeof TLS_VERSIONS];
  /** Whether the server's cipher order wins (the format's default: yes). */
  honorCipherOrder: boolean;
  /** OpenSSL curve list, e.g. `X25519:P-256`; undefined keeps the defaults. */
  ecdhCurve: string | undefined;
}

/** What a web config file asks for. */
export interface WebSettings {
  file: string;
  /** Undefined: plain HTTP. */
  tls: TlsSettings | undefined;
  /** Headers on every response; blank values are left out, as the format says. */
  headers: Readonly<Record<string, string>>;
  /** User → bcrypt hash; empty: no basic auth. */
  users: ReadonlyMap<string, string>;
}

/** Client policies that verify a certificate, and so need a CA to verify it against. */
const VERIFYING: readonly ClientAuthType[] = ['VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'];

const VERSION_ORDER = Object.keys(TLS_VERSIONS);

/** Parses and validates one web config file's text. */
export function parseWebConfig(file: string, text: string): { settings?: WebSettings; problems: Problem[] } {
  const { source, problems } = parseYaml(file, text);
  if (problems.length > 0) return { problems };
  const data = yamlData(source, {});
  if (data.problems.length > 0) return { problems: data.problems };
  const parsed = webConfigSchema.safeParse(data.value);
  if (!parsed.success)
    return { problems: issuesToProblems(source, data.value, parsed.error.issues, [], webConfigSchema) };
  const { tls_server_config: tlsConfig, http_server_config: http, basic_auth_users: users } = parsed.data;
  const tls = tlsConfig ? tlsSettings(source, tlsConfig) : { settings: undefined, problems: [] };
  if (tls.problems.length > 0) return { problems: tls.problems };
  const headers = Object.fromEntries(
    Object.entries(http?.headers ?? {}).filter((entry): entry is [string, string] => Boolean(entry[1])),
  );
  return { settings: { file, tls: tls.settings, headers, users: new Map(Object.entries(users ?? {})) }, problems: [] };
}

/** The TLS section as settings, or the rules across its keys that it breaks. */
function tlsSettings(source: YamlSource, c: TlsServerConfig): { settings?: TlsSettings; problems: Problem[] } {
  const problems: Problem[] = [];
  const problem = (key: string, message: string, onKey = true) => {
    const at = ['tls_server_config', ...(key ? [key] : [])];
    problems.push({ file: source.file, ...positionAt(source, at, onKey), path: formatPath(at), message });
  };
  const enabled = [c.cert, c.cert_file, c.key, c.key_file, c.client_ca, c.client_ca_file, c.client_auth_type];
  if (enabled.every((value) => value === undefined)) return { problems };
  const base = dirname(source.file);
  const at = (key: string): KeyPosition => {
    const path = ['tls_server_config', key];
    return { ...positionAt(source, path), path: formatPath(path) };
  };
  const pem = (inline: string | undefined, file: string | undefined, name: string): PemSource | undefined => {
    if (inline !== undefined && file !== undefined) problem(name, `set ${name} or ${name}_file, not both`);
    if (file !== undefined) return { file: resolve(base, file), at: at(`${name}_file`) };
    return inline === undefined ? undefined : { inline, at: at(name) };
  };
  const cert = pem(c.cert, c.cert_file, 'cert');
  const key = pem(c.key, c.key_file, 'key');
  const clientCa = pem(c.client_ca, c.client_ca_file, 'client_ca');
  if (!cert) problem('', 'missing one of cert or cert_file', false);
  if (!key) problem('', 'missing one of key or key_file', false);
  const clientAuth = c.client_auth_type ?? 'NoClientCert';
  if (clientCa && clientAuth === 'NoClientCert')
    problem(
      c.client_ca_file ? 'client_ca_file' : 'client_ca',
      'a client CA needs a client_auth_type other than NoClientCert',
    );
  if (!clientCa && VERIFYING.includes(clientAuth))
    problem('client_auth_type', `${clientAuth} needs client_ca_file or client_ca to verify client certificates with`);
  const min = c.min_version ?? 'TLS12';
  const max = c.max_version ?? 'TLS13';
  if (VERSION_ORDER.indexOf(min) > VERSION_ORDER.indexOf(max))
    problem('min_version', `min_version ${min} is above max_version ${max}`);
  if (!cert || !key || problems.length > 0) return { problems };
  const settings: TlsSettings = {
    cert,
    key,
    clientCa,
    clientAuth,
    minVersion: TLS_VERSIONS[min],
    maxVersion: TLS_VERSIONS[max],
    honorCipherOrder: c.prefer_server_cipher_suites ?? true,
    ecdhCurve: c.curve_preferences?.map((curve) => CURVES[curve]).join(':'),
  };
  return { settings, problems };
}
