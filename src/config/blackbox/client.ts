/**
 * blackbox's HTTP client settings (Prometheus' common `http_client_config`, inline in an
 * http module and under `http_config` of a websocket one): authentication, proxy, TLS and
 * redirects, as canary's `http.auth`, `http.proxy`, `tls` and `http.followRedirects`.
 */
import type { Draft } from './draft.js';
import { translateHttpHeaders } from './http-headers.js';
import type { Fields, FieldType } from './reader.js';
import { TLS_FIELDS, translateTls } from './tls.js';

export const CLIENT_FIELDS: Readonly<Record<string, FieldType>> = {
  basic_auth: 'map',
  authorization: 'map',
  oauth2: 'map',
  bearer_token: 'string',
  bearer_token_file: 'string',
  tls_config: 'map',
  proxy_url: 'string',
  no_proxy: 'string',
  proxy_from_environment: 'bool',
  proxy_connect_header: 'map',
  follow_redirects: 'bool',
  enable_http2: 'bool',
  http_headers: 'map',
};

export const BASIC_FIELDS: Readonly<Record<string, FieldType>> = {
  username: 'string',
  username_file: 'string',
  username_ref: 'string',
  password: 'string',
  password_file: 'string',
  password_ref: 'string',
};

export const AUTHORIZATION_FIELDS: Readonly<Record<string, FieldType>> = {
  type: 'string',
  credentials: 'string',
  credentials_file: 'string',
  credentials_ref: 'string',
};

const OAUTH2_FIELDS: Readonly<Record<string, FieldType>> = {
  client_id: 'string',
  client_secret: 'string',
  client_secret_file: 'string',
  client_secret_ref: 'string',
  scopes: 'strings',
  token_url: 'string',
  endpoint_params: 'stringMap',
  tls_config: 'map',
  proxy_url: 'string',
  no_proxy: 'string',
  proxy_from_environment: 'bool',
  proxy_connect_header: 'map',
};

/** At most one of `keys` may be written; the second is where the problem is shown. */
function oneOf(fields: Fields, keys: readonly string[]): void {
  const set = keys.filter((key) => fields.has(key));
  if (set.length > 1) fields.report.problem(fields.at(set[1] as string), `at most one of ${set.join(', ')} may be set`);
}

function basic(client: Fields, draft: Draft): void {
  const auth = client.section('basic_auth', BASIC_FIELDS);
  oneOf(auth, ['username', 'username_file', 'username_ref']);
  oneOf(auth, ['password', 'password_file', 'password_ref']);
  draft.copy(auth, 'username', 'str', ['http', 'auth', 'basic', 'username']);
  draft.copy(auth, 'password', 'str', ['http', 'auth', 'basic', 'password']);
  draft.copy(auth, 'password_file', 'str', ['http', 'auth', 'basic', 'passwordFile']);
  for (const key of ['username_file', 'username_ref', 'password_ref']) {
    if (auth.has(key))
      draft.cannot(auth.at(key), `${key}: canary takes the user name inline and the password inline or from a file`);
  }
  if (!auth.has('username') && !auth.has('username_file') && !auth.has('username_ref')) {
    draft.set(['http', 'auth', 'basic', 'username'], '', auth.path);
  }
}

/** `authorization:` with type Bearer is canary's bearer auth; another type is a literal header. */
function authorization(client: Fields, draft: Draft): void {
  const auth = client.section('authorization', AUTHORIZATION_FIELDS);
  oneOf(auth, ['credentials', 'credentials_file', 'credentials_ref']);
  const type = auth.str('type') ?? 'Bearer';
  if (type.toLowerCase() === 'basic') {
    auth.report.problem(auth.at('type'), 'authorization type cannot be "Basic": use basic_auth');
    return;
  }
  if (auth.has('credentials_ref')) draft.cannot(auth.at('credentials_ref'), 'secret references need a secret manager');
  if (type === 'Bearer') {
    draft.copy(auth, 'credentials', 'str', ['http', 'auth', 'bearer', 'token']);
    draft.copy(auth, 'credentials_file', 'str', ['http', 'auth', 'bearer', 'tokenFile']);
    return;
  }
  const credentials = auth.str('credentials');
  if (credentials !== undefined)
    draft.set(['http', 'headers', 'Authorization'], `${type} ${credentials}`, auth.at('credentials'));
  if (auth.has('credentials_file')) {
    draft.cannot(
      auth.at('credentials_file'),
      `credentials_file with type ${type}: canary reads a file only for Bearer`,
    );
  }
}

function oauth2(client: Fields, draft: Draft): void {
  const auth = client.section('oauth2', OAUTH2_FIELDS);
  oneOf(auth, ['client_secret', 'client_secret_file', 'client_secret_ref']);
  const to = (key: string) => ['http', 'auth', 'oauth2', key];
  draft.copy(auth, 'token_url', 'str', to('tokenUrl'));
  draft.copy(auth, 'client_id', 'str', to('clientId'));
  draft.copy(auth, 'client_secret', 'str', to('clientSecret'));
  draft.copy(auth, 'client_secret_file', 'str', to('clientSecretFile'));
  draft.copy(auth, 'scopes', 'strings', to('scopes'));
  draft.copy(auth, 'endpoint_params', 'stringMap', to('endpointParams'));
  for (const key of [
    'client_secret_ref',
    'tls_config',
    'proxy_url',
    'no_proxy',
    'proxy_from_environment',
    'proxy_connect_header',
  ]) {
    if (auth.has(key)) draft.cannot(auth.at(key), `oauth2 ${key}: canary fetches the token with default settings`);
  }
}

function authentication(client: Fields, draft: Draft): void {
  oneOf(client, ['bearer_token', 'bearer_token_file']);
  const kinds = ['basic_auth', 'authorization', 'oauth2', 'bearer_token'].filter(
    (key) => client.has(key) || (key === 'bearer_token' && client.has('bearer_token_file')),
  );
  if (kinds.length > 1) {
    client.report.problem(client.at(kinds[1] as string), `at most one of ${kinds.join(', ')} may be set`);
    return;
  }
  if (client.has('basic_auth')) basic(client, draft);
  if (client.has('authorization')) authorization(client, draft);
  if (client.has('oauth2')) oauth2(client, draft);
  draft.copy(client, 'bearer_token', 'str', ['http', 'auth', 'bearer', 'token']);
  draft.copy(client, 'bearer_token_file', 'str', ['http', 'auth', 'bearer', 'tokenFile']);
}

function proxy(client: Fields, draft: Draft): void {
  oneOf(client, ['proxy_url', 'proxy_from_environment']);
  if (client.has('no_proxy') && !client.has('proxy_url'))
    client.report.problem(client.at('no_proxy'), 'needs proxy_url');
  if (
    client.has('proxy_connect_header') &&
    !client.has('proxy_url') &&
    client.bool('proxy_from_environment') !== true
  ) {
    client.report.problem(client.at('proxy_connect_header'), 'needs proxy_url or proxy_from_environment');
  }
  draft.copy(client, 'proxy_url', 'str', ['http', 'proxy', 'url']);
  const headers = client.raw('proxy_connect_header');
  for (const [name, values] of Object.entries(headers)) {
    const at = client.at('proxy_connect_header', name);
    if (!Array.isArray(values)) client.report.problem(at, 'must be a list of strings');
    else draft.set(['http', 'proxy', 'connectHeaders', name], values.map(String).join(', '), at);
  }
  if (client.bool('proxy_from_environment') === true) {
    draft.cannot(client.at('proxy_from_environment'), 'canary takes its proxy from proxy_url only');
  }
  if (client.has('no_proxy'))
    draft.cannot(client.at('no_proxy'), 'canary sends every request of a module through its proxy');
}

/** Translates the client settings of `client` into canary's http and tls fields. */
export function translateClient(client: Fields, draft: Draft, readText: (path: string) => string): void {
  authentication(client, draft);
  proxy(client, draft);
  translateTls(client.section('tls_config', TLS_FIELDS), draft);
  draft.copy(client, 'follow_redirects', 'bool', ['http', 'followRedirects']);
  if (client.bool('enable_http2') === true) {
    draft.note(client.at('enable_http2'), 'canary speaks HTTP/1.1 to targets; the probe runs over HTTP/1.1');
  }
  translateHttpHeaders(client, draft, readText);
}
