/**
 * The token-guarded control API: endpoints that change the agent's behaviour. Off (not
 * even routed) while `server.token` is empty, so an agent never exposes them by accident.
 */
import { timingSafeEqual } from 'node:crypto';
import { redactText } from '../secrets/redact.js';
import type { Reply, RequestContext, RouteHandler } from './router.js';

/**
 * The header that carries the token when `Authorization` cannot: with basic auth on (the
 * web config), `Authorization` holds the user's credentials, and HTTP allows one.
 */
export const TOKEN_HEADER = 'x-canary-token';

/**
 * Whether the request carries the token, as `Authorization: Bearer <token>` or in
 * `X-Canary-Token`; compared in constant time.
 */
export function authorized(ctx: RequestContext, token: string): boolean {
  const bearer = /^Bearer (.+)$/.exec(ctx.req.headers.authorization ?? '')?.[1];
  const header = ctx.req.headers[TOKEN_HEADER];
  const expected = Buffer.from(token);
  return [bearer, typeof header === 'string' ? header : undefined].some((value) => {
    if (!value) return false;
    const given = Buffer.from(value);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

export function json(status: number, body: unknown): Reply {
  // A known secret value never leaves in an answer, whatever the body quotes.
  return { status, headers: { 'content-type': 'application/json' }, body: `${redactText(JSON.stringify(body))}\n` };
}

/** Wraps a handler so that it answers 401 without the token. */
export function guarded(token: string, handler: RouteHandler): RouteHandler {
  return (ctx) => {
    if (!authorized(ctx, token))
      return {
        ...json(401, { error: 'a valid token is required: Authorization: Bearer TOKEN, or X-Canary-Token: TOKEN' }),
        headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer' },
      };
    return handler(ctx);
  };
}
