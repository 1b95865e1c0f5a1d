/**
 * `http_config` of a blackbox websocket module. canary's websocket kind has no `auth:` of
 * its own: inline credentials become the upgrade request's `Authorization` header (a
 * secret wherever it could be printed), TLS goes to `tls:`, and the rest is named as what
 * canary cannot honour for a websocket.
 */
import { AUTHORIZATION_FIELDS, BASIC_FIELDS } from './client.js';
import type { Draft } from './draft.js';
import type { Fields } from './reader.js';
import { TLS_FIELDS, translateTls } from './tls.js';

const HEADER = ['websocket', 'headers', 'Authorization'];

function basic(client: Fields, draft: Draft): void {
  const auth = client.section('basic_auth', BASIC_FIELDS);
  const user = auth.str('username') ?? '';
  const password = auth.str('password') ?? '';
  draft.set(HEADER, `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`, auth.path);
  for (const key of ['username_file', 'username_ref', 'password_file', 'password_ref'])
    if (auth.has(key)) draft.cannot(auth.at(key), `${key}: a websocket module takes basic_auth inline`);
}

function authorization(client: Fields, draft: Draft): void {
  const auth = client.section('authorization', AUTHORIZATION_FIELDS);
  const credentials = auth.str('credentials');
  if (credentials !== undefined) draft.set(HEADER, `${auth.str('type') ?? 'Bearer'} ${credentials}`, auth.path);
  for (const key of ['credentials_file', 'credentials_ref'])
    if (auth.has(key)) draft.cannot(auth.at(key), `${key}: a websocket module takes credentials inline`);
}

export function translateWebsocketClient(client: Fields, draft: Draft, known: readonly string[]): void {
  translateTls(client.section('tls_config', TLS_FIELDS), draft);
  if (client.has('basic_auth')) basic(client, draft);
  if (client.has('authorization')) authorization(client, draft);
  const bearer = client.str('bearer_token');
  if (bearer !== undefined) draft.set(HEADER, `Bearer ${bearer}`, client.at('bearer_token'));
  const handled = new Set(['tls_config', 'basic_auth', 'authorization', 'bearer_token']);
  for (const key of known)
    if (!handled.has(key) && client.has(key)) draft.cannot(client.at(key), `${key} for a websocket module`);
}
