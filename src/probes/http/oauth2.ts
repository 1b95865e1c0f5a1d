/**
 * `http.auth.oauth2`: access tokens from the client credentials grant (RFC 6749 §4.4).
 * A token is kept per (tokenUrl, clientId, scopes, endpointParams) and reused until
 * shortly before it expires, so a check probing every few seconds asks its
 * authorization server about once per token lifetime, not once per run.
 *
 * A failed token request is the probe's `auth` failure, worded without any secret: the
 * client secret is never quoted, and the answer's body only for its OAuth `error` code.
 */
import { Agent, ProxyAgent, request, type Dispatcher } from 'undici';
import type { OAuth2Options } from '../../config/schema/http-auth.js';
import type { ResolvedHttpCheck } from '../../config/types.js';
import { redactUrl } from '../../net/redact-url.js';
import { FAILURE_REASONS } from '../../results/reasons.js';
import { redactValuesDeep } from '../../secrets/redact.js';
import { forgetSecret, registerSecret } from '../../secrets/registry.js';
import type { Attempt } from './attempt.js';
import { ProbeFailure, failureMessage } from './classify.js';
import { proxyAuthorization } from './route.js';
import { secureContextFor } from './tls-context.js';

/** A token is fetched again this long before its `expires_in` runs out. */
export const REFRESH_BEFORE_MS = 10_000;
/** How long a token whose answer names no `expires_in` is used. */
export const DEFAULT_LIFETIME_MS = 300_000;
/** The token answer is a small JSON object; a larger body is not read. */
const MAX_ANSWER = 64 * 1024;
/** An OAuth `error` code (`invalid_client`) is quoted; anything else in the body is not. */
const ERROR_CODE = /^[\w.-]{1,64}$/;

interface Kept {
  token: string;
  refreshAt: number;
  /** This cache registered the token as a secret, so it forgets it when replaced. */
  registered: boolean;
}

function cacheKey(options: OAuth2Options): string {
  return JSON.stringify([options.tokenUrl, options.clientId, options.scopes, options.endpointParams]);
}

/** The connection to the token endpoint: through the check's proxy, trusting the check's CA. */
function dispatcherFor(check: ResolvedHttpCheck): Dispatcher {
  const tls = { secureContext: secureContextFor({ ca: check.tls.ca }), rejectUnauthorized: !check.tls.insecure };
  const proxy = check.http.proxy;
  if (proxy === undefined) return new Agent({ connect: tls });
  const uri = new URL(proxy.url);
  const token = proxyAuthorization(uri);
  uri.username = '';
  uri.password = '';
  return new ProxyAgent({ uri: uri.href, requestTls: tls, headers: proxy.connectHeaders, ...(token && { token }) });
}

function fail(options: OAuth2Options, what: string): ProbeFailure {
  const message = `OAuth2 token request to ${redactUrl(options.tokenUrl)} ${what}`;
  return new ProbeFailure(FAILURE_REASONS.auth, redactValuesDeep(message, [options.clientSecret]));
}

async function readAnswer(body: Dispatcher.ResponseData['body']): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_ANSWER) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseAnswer(options: OAuth2Options, status: number, text: string | undefined): { token: string; ms: number } {
  if (text === undefined) throw fail(options, `answered ${status} with a body over ${MAX_ANSWER} bytes`);
  let answer: { access_token?: unknown; expires_in?: unknown; error?: unknown } = {};
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    if (status >= 200 && status < 300) throw fail(options, `answered ${status} with a body that is not JSON`);
  }
  if (status < 200 || status >= 300) {
    const code = typeof answer?.error === 'string' && ERROR_CODE.test(answer.error) ? ` (${answer.error})` : '';
    throw fail(options, `answered ${status}${code}`);
  }
  if (typeof answer?.access_token !== 'string' || answer.access_token === '')
    throw fail(options, `answered ${status} without an access_token`);
  const seconds = Number(answer.expires_in);
  return { token: answer.access_token, ms: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : -1 };
}

/** One token request; rejects with an `auth` ProbeFailure (or the abort, when `signal` fired). */
async function fetchToken(
  options: OAuth2Options,
  check: ResolvedHttpCheck,
  signal: AbortSignal,
): Promise<{ token: string; ms: number }> {
  const form = new URLSearchParams({ ...options.endpointParams, grant_type: 'client_credentials' });
  if (options.scopes.length > 0) form.set('scope', options.scopes.join(' '));
  // RFC 6749 §2.3.1: the client authenticates with HTTP Basic, each part form-encoded.
  const basic = `${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`;
  const dispatcher = dispatcherFor(check);
  try {
    const answer = await request(options.tokenUrl, {
      dispatcher,
      method: 'POST',
      signal,
      headers: {
        authorization: `Basic ${Buffer.from(basic, 'utf8').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: form.toString(),
    });
    return parseAnswer(options, answer.statusCode, await readAnswer(answer.body));
  } catch (err) {
    if (err instanceof ProbeFailure || signal.aborted) throw err;
    throw fail(options, `failed: ${failureMessage(err)}`);
  } finally {
    dispatcher.destroy().catch(() => undefined);
  }
}

/** Access tokens of one probe, by token request. */
export class TokenCache {
  readonly #kept = new Map<string, Kept>();
  readonly #pending = new Map<string, Promise<Kept>>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /**
   * A token for `check` (whose `http.auth.oauth2` is set): the kept one while it is
   * fresh, else a new one. Runs asking at once share one request.
   */
  async token(check: ResolvedHttpCheck, options: OAuth2Options, attempt: Attempt): Promise<string> {
    const key = cacheKey(options);
    const kept = this.#kept.get(key);
    if (kept !== undefined && this.#now() < kept.refreshAt) return kept.token;
    attempt.stage = 'token';
    let pending = this.#pending.get(key);
    if (pending === undefined) {
      pending = this.#refresh(key, check, options, attempt.signal).finally(() => this.#pending.delete(key));
      this.#pending.set(key, pending);
    }
    return (await pending).token;
  }

  async #refresh(key: string, check: ResolvedHttpCheck, options: OAuth2Options, signal: AbortSignal): Promise<Kept> {
    const fetchedAt = this.#now();
    const { token, ms } = await fetchToken(options, check, signal);
    const lifetime = ms < 0 ? DEFAULT_LIFETIME_MS : ms;
    const fresh: Kept = {
      token,
      refreshAt: fetchedAt + lifetime - REFRESH_BEFORE_MS,
      registered: registerSecret(token),
    };
    const old = this.#kept.get(key);
    if (old !== undefined && old.registered && old.token !== token) forgetSecret(old.token);
    this.#kept.set(key, fresh);
    return fresh;
  }
}
