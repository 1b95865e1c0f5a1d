/**
 * The HTTP probe: one request (plus the redirects it leads to) with undici, timed by
 * phase the way blackbox_exporter reports it, summed over redirect hops.
 *
 * Which event ends which phase (all clocks are `performance.now()`):
 * - `resolve`: from just before `dns.promises.lookup(host, {all: true})` to its
 *   settling. 0 for an IP-literal host; absent when a kept-alive connection is reused.
 * - `connect`: from creating the socket (`net.connect` / `tls.connect` to the chosen IP)
 *   to the socket's `connect` event.
 * - `tls`: from that `connect` event to `secureConnect` (https only).
 * - `processing`: from undici having written the request (its handler's
 *   `onRequestSent`, after the body; `onConnect`, just before writing, if that never
 *   comes) to `onHeaders`, the response headers parsed.
 * - `transfer`: from `onHeaders` to `onComplete` (last body byte), or to the failure
 *   that cut the body short.
 * - `durationSeconds`: from entering `run` to building the Observation (an OAuth2
 *   token request, when one is needed, included).
 *
 * Through `http.proxy`, `resolve` and `connect` are the proxy's (`connect` includes its
 * answer to CONNECT for an https target); `tls` is the handshake with the target.
 *
 * The status is not judged here (a 503 is `ok: true`, `http.status: 503`); assertions
 * do that. `ok: false` means no complete response was obtained.
 */
import type { ResolvedHttpCheck } from '../config/types.js';
import type { Observation } from '../results/types.js';
import { Attempt } from './http/attempt.js';
import { classifyError, type Failure } from './http/classify.js';
import { Clients, type Lease } from './http/clients.js';
import { Exchange } from './http/exchange.js';
import { answered, failed } from './http/observe.js';
import { TokenCache } from './http/oauth2.js';
import { addedHeaders, hopHeaders, prepare, requestPath, type Prepared } from './http/prepare.js';
import { firstHop, followRedirect, isRedirect, type Hop } from './http/redirects.js';
import { routeFor } from './http/route.js';
import { redactValuesDeep } from '../secrets/redact.js';
import type { Probe, ProbeContext } from './types.js';

/** Classifies an error of this attempt; an abort is described by where it caught the attempt. */
function failureOf(err: unknown, attempt: Attempt): Failure {
  const failure = classifyError(err, attempt.signal);
  if (attempt.signal.aborted) failure.message = `${failure.message} ${attempt.abortContext()}`;
  return failure;
}

/** Sends one hop's request on `lease` and waits for the exchange to end (it never rejects). */
async function send(
  lease: Lease,
  attempt: Attempt,
  hop: Hop,
  prepared: Prepared,
  extra: ProbeContext['headers'],
  token: string | undefined,
): Promise<Exchange> {
  const exchange = new Exchange(attempt, prepared.exchange);
  const route = lease.connection.route;
  attempt.client = lease.client;
  attempt.pending = exchange;
  lease.client.dispatch(
    {
      path: requestPath(hop.url, route),
      method: hop.method,
      headers: hopHeaders(prepared.headers, extra, hop.drop, addedHeaders(token, hop.drop, route)),
      body: hop.body,
    },
    exchange,
  );
  await exchange.done;
  attempt.pending = undefined;
  return exchange;
}

/** The hop loop: send, then either answer or follow the redirect to the next hop. */
async function follow(
  clients: Clients,
  check: ResolvedHttpCheck,
  ctx: ProbeContext,
  attempt: Attempt,
  token: string | undefined,
): Promise<Observation> {
  const prepared = prepare(check);
  const hop = firstHop(prepared);
  let lease = clients.acquire(check, prepared.route, attempt);
  let healthy = false;
  try {
    for (;;) {
      const exchange = await send(lease, attempt, hop, prepared, ctx.headers, token);
      const final = { exchange, url: hop.url, redirects: hop.redirects, lease };
      if (exchange.error !== undefined)
        return failed(attempt, failureOf(lease.connection.explain(exchange.error), attempt), final);
      const location = check.http.followRedirects && isRedirect(exchange.status) ? exchange.location() : undefined;
      healthy = true;
      if (location === undefined) return answered(attempt, final);
      const from = hop.url.origin;
      const keep = check.http.crossHostHeaders === 'keep';
      const stop = followRedirect(hop, exchange.status, location, check.http.maxRedirects, prepared.url.host, keep);
      if (stop !== undefined) return failed(attempt, stop, final);
      if (hop.url.origin !== from) {
        const route = routeFor(hop.url, check, prepared.url.hostname);
        clients.release(lease, true);
        lease = clients.acquire(check, route, attempt);
      }
      healthy = false;
    }
  } finally {
    clients.release(lease, healthy);
  }
}

class HttpProbe implements Probe<ResolvedHttpCheck> {
  readonly kind = 'http' as const;
  readonly #clients = new Clients();
  readonly #tokens = new TokenCache();

  async run(check: ResolvedHttpCheck, ctx: ProbeContext): Promise<Observation> {
    const attempt = new Attempt(ctx.signal, ctx.vetAddress);
    if (ctx.signal.aborted) return failed(attempt, failureOf(ctx.signal.reason, attempt));
    attempt.watch();
    try {
      const oauth2 = check.http.auth?.oauth2;
      const token = oauth2 === undefined ? undefined : await this.#tokens.token(check, oauth2, attempt);
      const observation = await follow(this.#clients, check, ctx, attempt, token);
      // The token and the encoded credentials are unknown to the sinks' registry (a probe
      // worker's result crosses to the agent's thread), so they leave here redacted.
      if (check.http.auth === undefined && check.http.proxy === undefined) return observation;
      const secrets = prepare(check).secrets;
      if (token === undefined && secrets.length === 0) return observation;
      return redactValuesDeep(observation, token === undefined ? secrets : [token, ...secrets]);
    } catch (err) {
      // Bad input (an unusable target, unreadable TLS files) and anything unforeseen end
      // as a failed observation: a hostile or broken target must never crash the agent.
      return failed(attempt, failureOf(err, attempt));
    } finally {
      attempt.unwatch();
    }
  }

  close(): Promise<void> {
    return this.#clients.closeAll();
  }
}

/**
 * Creates the HTTP probe (kind `http`). One instance serves every HTTP check; it holds
 * only the kept-alive Clients of checks with `http.keepAlive`, released by `close()`.
 *
 * @example
 * const probe = createHttpProbe();
 * const observation = await probe.run(check, { signal: AbortSignal.timeout(check.timeoutMs) });
 */
export function createHttpProbe(): Probe<ResolvedHttpCheck> {
  return new HttpProbe();
}
