import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../errors.js';
import { foreignRequestReason } from '../net/origin-guard.js';
import { BAD_REQUEST_TARGET, parseRequestTarget } from '../net/request-target.js';
import { VERSION } from '../version.js';
import { ProxyApiError } from './api-error.js';
import type { ProxyRegistry } from './registry.js';

/** Request bodies above this are refused: the API takes small JSON documents only. */
const MAX_BODY_BYTES = 1024 * 1024;

/** What a route answers: a status and a JSON body (none for 204). */
interface Reply {
  status: number;
  body?: unknown;
}

type Handler = (registry: ProxyRegistry, params: string[], body: () => Promise<unknown>) => Promise<Reply>;

const ok = (body: unknown, status = 200): Reply => ({ status, body });
const noContent: Reply = { status: 204 };

/**
 * The routes, Toxiproxy's paths, bodies and status codes: 201 for a created proxy, 200 for
 * a created toxic, 204 for deletions and reset, 404/409 with `{ error, status }`.
 */
const ROUTES: ReadonlyArray<[method: string, path: RegExp, handler: Handler]> = [
  ['GET', /^\/version$/, () => Promise.resolve(ok({ version: VERSION }))],
  ['GET', /^\/proxies$/, (r) => Promise.resolve(ok(r.toJSON()))],
  ['POST', /^\/proxies$/, async (r, _, body) => ok((await r.create(await body())).toJSON(), 201)],
  [
    'POST',
    /^\/populate$/,
    async (r, _, body) => ok({ proxies: (await r.populate(await body())).map((p) => p.toJSON()) }, 201),
  ],
  ['POST', /^\/reset$/, async (r) => (await r.reset(), noContent)],
  ['GET', /^\/proxies\/([^/]+)$/, (r, [name]) => Promise.resolve(ok(r.get(name!).toJSON()))],
  ['POST', /^\/proxies\/([^/]+)$/, async (r, [name], body) => ok((await r.update(name!, await body())).toJSON())],
  ['DELETE', /^\/proxies\/([^/]+)$/, async (r, [name]) => (await r.delete(name!), noContent)],
  ['GET', /^\/proxies\/([^/]+)\/toxics$/, (r, [name]) => Promise.resolve(ok(r.get(name!).toJSON().toxics))],
  [
    'POST',
    /^\/proxies\/([^/]+)\/toxics$/,
    async (r, [name], body) => {
      const proxy = r.get(name!);
      const toxic = proxy.toxics.add(await body());
      return ok(proxy.toJSON().toxics.find((t) => t.name === toxic.name));
    },
  ],
  [
    'GET',
    /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/,
    (r, [name, toxic]) => Promise.resolve(ok(toxicOf(r, name!, toxic!))),
  ],
  [
    'POST',
    /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/,
    async (r, [name, toxic], body) => {
      r.get(name!).toxics.update(toxic!, await body());
      return ok(toxicOf(r, name!, toxic!));
    },
  ],
  [
    'DELETE',
    /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/,
    (r, [name, toxic]) => {
      r.get(name!).toxics.remove(toxic!);
      return Promise.resolve(noContent);
    },
  ],
];

function toxicOf(registry: ProxyRegistry, proxy: string, toxic: string): unknown {
  registry.get(proxy).toxics.get(toxic);
  return registry
    .get(proxy)
    .toJSON()
    .toxics.find((t) => t.name === toxic);
}

/** Reads a JSON body; an empty body is `{}` (Toxiproxy clients post `/reset` without one). */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req as AsyncIterable<Buffer>) {
    size += part.length;
    if (size > MAX_BODY_BYTES) throw new ProxyApiError(413, `request body over ${MAX_BODY_BYTES} bytes`);
    parts.push(part);
  }
  const text = Buffer.concat(parts).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ProxyApiError(400, `bad request body: ${errorMessage(err)}`);
  }
}

function send(res: ServerResponse, reply: Reply): void {
  if (reply.status === 204 || reply.body === undefined) {
    res.writeHead(reply.status).end();
    return;
  }
  const text = `${JSON.stringify(reply.body)}\n`;
  res
    .writeHead(reply.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
    .end(text);
}

/**
 * Why a request must be refused before routing: a foreign `Origin` or `Host` (403), or a
 * body that is not JSON on a state-changing method (415). A web page can send `text/plain`
 * without a preflight; insisting on `application/json` forces one it cannot pass.
 */
function refusal(req: IncomingMessage, listenHost: string | undefined): Reply | undefined {
  const foreign = foreignRequestReason(req, listenHost);
  if (foreign) return { status: 403, body: { error: foreign, status: 403 } };
  if (req.method === 'GET' || req.method === 'HEAD' || !hasBody(req)) return undefined;
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') return undefined;
  const error = `request body must be Content-Type application/json, not ${type || 'none'}`;
  return { status: 415, body: { error, status: 415 } };
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/** A proxy or toxic name from the path; malformed percent-encoding (`%C0%AF`) is the client's mistake. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ProxyApiError(400, `bad path segment: malformed percent-encoding in ${JSON.stringify(segment)}`);
  }
}

/** Routes one request; every refusal becomes `{ error, status }`. */
async function handle(
  registry: ProxyRegistry,
  req: IncomingMessage,
  res: ServerResponse,
  listenHost: string | undefined,
): Promise<void> {
  const path = parseRequestTarget(req.url)?.pathname;
  if (path === undefined) {
    send(res, { status: 400, body: { error: BAD_REQUEST_TARGET, status: 400 } });
    return;
  }
  const refused = refusal(req, listenHost);
  if (refused) {
    send(res, refused);
    return;
  }
  if (req.method === 'GET' && path === '/metrics') {
    const text = await registry.metrics.text();
    res.writeHead(200, { 'content-type': registry.metrics.registry.contentType }).end(text);
    return;
  }
  try {
    const matches = ROUTES.map(([method, pattern, handler]) => ({ method, handler, m: pattern.exec(path) })).filter(
      (r) => r.m,
    );
    const route = matches.find((r) => r.method === req.method);
    if (!route)
      throw new ProxyApiError(matches.length > 0 ? 405 : 404, matches.length > 0 ? 'method not allowed' : 'not found');
    const params = route.m!.slice(1).map(decodeSegment);
    send(res, await route.handler(registry, params, () => readJson(req)));
  } catch (err) {
    const status = err instanceof ProxyApiError ? err.status : 500;
    send(res, { status, body: { error: errorMessage(err), status } });
  }
}

/**
 * The fault API on `node:http`, Toxiproxy-compatible so its clients drive it, plus
 * `GET /metrics`. Listening is the caller's choice of address. Requests from web pages
 * (a foreign `Origin` or, on loopback, `Host`) and non-JSON bodies are refused first.
 *
 * @example
 * const server = createProxyApi(new ProxyRegistry());
 * server.listen(8474, '127.0.0.1');
 */
export function createProxyApi(registry: ProxyRegistry): Server {
  const server = createServer((req, res) => {
    const listenHost = (server.address() as AddressInfo | null)?.address;
    void handle(registry, req, res, listenHost).catch(() => res.destroy());
  });
  return server;
}
