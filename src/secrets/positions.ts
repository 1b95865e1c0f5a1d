/**
 * Which places of a config or experiment file hold credentials: a value interpolated there
 * from `${VAR}` is registered as a secret. Known by key, not by schema, so the agent config,
 * the probe files and the experiments share one rule.
 */
import { isSecretQueryParam } from './query-params.js';

/**
 * A value anywhere under one of these keys is a secret: HTTP headers (checks, chaos calls,
 * OTLP), a child's environment, and a program's arguments (`argv` of exec actions, their
 * reverts and `start`): a command line carries tokens as often as an environment does, and
 * the journal and logs quote it whole.
 */
const SECRET_CONTAINERS: ReadonlySet<string> = new Set(['headers', 'connectHeaders', 'env', 'argv']);

/** The argv lists of an `exec` target driver: `exec: { kill: [...], restore: [...] }`. */
const EXEC_DRIVER_ARGV: ReadonlySet<string> = new Set(['kill', 'restore']);

/** A value at one of these keys is a secret: the control API token, passwords, request bodies. */
const SECRET_KEYS: ReadonlySet<string> = new Set(['token', 'password', 'secret', 'clientSecret', 'body']);

/** Keys under `http.auth` whose values are secrets even when written literally. */
const AUTH_SECRET_KEYS: ReadonlySet<string> = new Set(['password', 'token', 'clientSecret']);

/**
 * `*File` keys: `tokenFile: /run/credentials/canary/token` stands for `token:` with that
 * file's content (Kubernetes Secrets and systemd credentials are mounted as files).
 */
export const SECRET_FILE_KEYS: Readonly<Record<string, string>> = {
  tokenFile: 'token',
  passwordFile: 'password',
  secretFile: 'secret',
  clientSecretFile: 'clientSecret',
};

/**
 * Whether the value at `path` (keys from the document root) is a secret. The keys of a
 * `headers` map are header names; only values below them count.
 */
export function isSecretPosition(path: readonly PropertyKey[]): boolean {
  const last = path.at(-1);
  if (typeof last === 'string' && SECRET_KEYS.has(last)) return true;
  const above = path.slice(0, -1);
  if (above.some((key) => typeof key === 'string' && SECRET_CONTAINERS.has(key))) return true;
  return above.some(
    (key, i) => key === 'exec' && typeof above[i + 1] === 'string' && EXEC_DRIVER_ARGV.has(above[i + 1] as string),
  );
}

/**
 * The parts of a URL that are secrets: the password of its userinfo and the values of
 * its secret query parameters (query-params.ts). Nothing when `text` is not a URL.
 */
export function urlSecrets(text: string): string[] {
  if (!/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(text)) return [];
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return [];
  }
  const found = [...url.searchParams].filter(([name]) => isSecretQueryParam(name)).map(([, value]) => value);
  if (url.password) found.push(decodeURIComponent(url.password), url.password);
  return found;
}

/** The keys {@link literalSecrets} may find a secret at. */
export const LITERAL_SECRET_KEYS: ReadonlySet<string> = new Set([...AUTH_SECRET_KEYS, 'url']);

/**
 * The secrets in a value written literally (no `${VAR}`) at `path`: a credential of
 * `http.auth` (a password, a token, a client secret), and the credentials in a
 * `proxy.url`. These can only be credentials, so they are secrets however they were
 * written; elsewhere a literal value is taken to be meant readable.
 */
export function literalSecrets(path: readonly PropertyKey[], value: string): string[] {
  const last = path.at(-1);
  if (typeof last !== 'string') return [];
  if (AUTH_SECRET_KEYS.has(last) && path.at(-3) === 'auth') return [value];
  if (last === 'url' && path.at(-2) === 'proxy') return urlSecrets(value);
  return [];
}
