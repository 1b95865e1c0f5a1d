/**
 * The token-guarded control API: endpoints that change the agent's behaviour. Off (not
 * even routed) while `server.token` is empty, so an agent never exposes them by accident.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Reply, RequestContext, RouteHandler } from './router.js';

/** Whether the request carries `Authorization: Bearer <token>`; compared in constant time. */
export function authorized(ctx: RequestContext, token: string): boolean {
  const header = ctx.req.headers.authorization ?? '';
  const match = /^Bearer (.+)$/.exec(header);
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1]);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function json(status: number, body: unknown): Reply {
  return { status, headers: { 'content-type': 'application/json' }, body: `${JSON.stringify(body)}\n` };
}

/** Wraps a handler so that it answers 401 without a valid bearer token. */
export function guarded(token: string, handler: RouteHandler): RouteHandler {
  return (ctx) => {
    if (!authorized(ctx, token))
      return {
        ...json(401, { error: 'a valid bearer token is required' }),
        headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer' },
      };
    return handler(ctx);
  };
}
