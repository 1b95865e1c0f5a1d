/**
 * One request through the lab balancer: to the next backend in turn; on a connection
 * error (refused, reset, closed before an answer) that backend is marked down and the
 * request goes to the next one. A backend that accepts but does not answer in time
 * (SIGSTOP) gives 504 and stays in rotation, as with most naive balancers.
 */
import type { Agent, IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'node:http';
import { BAD_REQUEST_TARGET, parseRequestTarget } from '../../net/request-target.js';
import type { BackendPool, PoolMember } from './pool.js';

/** Requests are buffered so they can be retried; lab traffic is small. */
const MAX_BODY_BYTES = 1_048_576;

/** What a forwarded request needs besides itself. */
export interface ForwardContext {
  pool: BackendPool;
  agent: Agent;
  timeoutMs: number;
}

type Attempt = { kind: 'answered' } | { kind: 'timeout' } | { kind: 'connection'; error: string };

/** Forwards `req` and answers `res`; never rejects. */
export async function forward(req: IncomingMessage, res: ServerResponse, ctx: ForwardContext): Promise<void> {
  const path = parseRequestTarget(req.url);
  if (path === undefined) return reply(res, 400, { status: 'bad_request', reason: BAD_REQUEST_TARGET });
  const body = await readBody(req);
  if (body === undefined) return reply(res, 413, { status: 'too_large', limit: MAX_BODY_BYTES });
  const tried = new Set<PoolMember>();
  let lastError = 'no backend is up';
  for (;;) {
    const member = ctx.pool.pick(tried);
    if (member === undefined)
      return reply(res, 502, { status: 'bad_gateway', reason: lastError, tried: [...tried].map((m) => m.url) });
    tried.add(member);
    const outcome = await attempt(member, path, req, body, res, ctx);
    if (outcome.kind === 'answered') return;
    if (outcome.kind === 'timeout') return reply(res, 504, { status: 'gateway_timeout', backend: member.url });
    lastError = outcome.error;
    ctx.pool.markDown(member, outcome.error);
  }
}

function attempt(
  member: PoolMember,
  path: URL,
  req: IncomingMessage,
  body: Buffer,
  res: ServerResponse,
  ctx: ForwardContext,
): Promise<Attempt> {
  return new Promise((resolve) => {
    let answered = false;
    let timedOut = false;
    // The backend's origin with the request's path: a target like `//host/x` stays a path.
    const target = new URL(member.url);
    target.pathname = path.pathname;
    target.search = path.search;
    const upstream = request(
      target,
      { method: req.method, headers: req.headers, agent: ctx.agent, timeout: ctx.timeoutMs },
      (answer) => {
        answered = true;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('error', () => res.destroy());
        resolve({ kind: 'answered' });
      },
    );
    upstream.on('timeout', () => {
      timedOut = true;
      upstream.destroy(new Error('upstream timeout'));
    });
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      // Once the answer has started, the client sees a cut response; nothing to retry.
      if (answered) res.destroy();
      else resolve(timedOut ? { kind: 'timeout' } : { kind: 'connection', error: err.code ?? err.message });
    });
    upstream.end(body);
  });
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size <= MAX_BODY_BYTES ? Buffer.concat(chunks) : undefined));
    req.on('error', () => resolve(undefined));
  });
}

function reply(res: ServerResponse, status: number, body: object): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
