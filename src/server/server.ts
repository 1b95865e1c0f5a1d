import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CanaryError, ERROR_CODES } from '../errors.js';
import type { Exposition, MetricsPayload } from '../exporters/prometheus/render.js';
import type { Logger } from '../log.js';
import { formatHostPort, listenError, parseListen } from '../net/listen.js';
import { foreignRequestReason } from '../net/origin-guard.js';
import { BAD_REQUEST_TARGET, parseRequestTarget } from '../net/request-target.js';
import { Router, type Reply, type RouteHandler, type RouteMethod, type RouteOptions } from './router.js';
import { registerBuiltinRoutes, textReply } from './routes.js';
import { WebGuard } from './web/guard.js';
import { createListener, isHttps, type AgentHttpServer } from './web/listener.js';

/** Options of {@link createServer}. */
export interface ServerOptions {
  /** `HOST:PORT`, `[IPv6]:PORT` or `:PORT`; port 0 picks a free port. */
  listen: string;
  /** Renders `/metrics` for the request's `Accept` and `Accept-Encoding` headers. */
  metrics: (accept: string | undefined, acceptEncoding: string | undefined) => Promise<MetricsPayload | Exposition>;
  /** Answers `/readyz`. */
  ready: () => boolean;
  logger: Logger;
  /**
   * A web config file in the format of Prometheus exporters (TLS, response headers, basic
   * auth users); watched and reloaded while the server runs.
   */
  webConfig?: string;
}

/** Where the server listens, once started. */
export interface ServerAddress {
  host: string;
  port: number;
  /** Base URL with a trailing slash, e.g. `http://127.0.0.1:9464/` (`https://` with TLS). */
  url: string;
}

/**
 * After `stop()` has closed idle connections, requests still in flight get this long to
 * finish before their connections are cut, so a stuck handler cannot hold shutdown.
 */
const STOP_GRACE_MS = 5_000;

/**
 * The agent's HTTP server: `/`, `/metrics`, `/healthz`, `/readyz`, and whatever later
 * features add with {@link AgentServer.route}.
 */
export class AgentServer {
  readonly #options: ServerOptions;
  readonly #router = new Router();
  /** Made at `start()`, once the web config says whether it is HTTP or HTTPS. */
  #server: AgentHttpServer | undefined;
  #web: WebGuard | undefined;
  #address: ServerAddress | undefined;
  /** The host `listen` names (`undefined`: every interface); decides whether `Host` is checked. */
  #listenHost: string | undefined;

  constructor(options: ServerOptions) {
    this.#options = options;
    registerBuiltinRoutes(this.#router, options);
  }

  /** Where the server listens; `undefined` until `start()` resolves and after `stop()`. */
  get address(): ServerAddress | undefined {
    return this.#address;
  }

  /** Adds an endpoint. `GET` routes answer `HEAD` too. */
  route(method: RouteMethod, path: string, handler: RouteHandler, options?: RouteOptions): void {
    this.#router.route(method, path, handler, options);
  }

  /** Adds an endpoint for every path below `prefix` (ending in `/`); see {@link Router.routePrefix}. */
  routePrefix(method: RouteMethod, prefix: string, handler: RouteHandler, options?: RouteOptions): void {
    this.#router.routePrefix(method, prefix, handler, options);
  }

  /**
   * Loads the web config (when set) and starts listening. Rejects with `CANARY_ERR_CONFIG`
   * when the web config is invalid, `CANARY_ERR_LISTEN` when the address is invalid, taken
   * or not allowed.
   */
  async start(): Promise<ServerAddress> {
    if (this.#server?.listening) throw new CanaryError(ERROR_CODES.state, 'the HTTP server is already started');
    const { listen, logger, webConfig } = this.#options;
    const { host, port } = parseListen(listen);
    this.#listenHost = host;
    this.#web = webConfig === undefined ? undefined : await WebGuard.load(webConfig, logger);
    const server = createListener((req, res) => void this.#handle(req, res), this.#web?.current);
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => {
        server.off('listening', onListening);
        reject(listenError(listen, error));
      };
      const onListening = () => {
        server.off('error', onError);
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen({ host, port });
    });
    this.#web?.watch((options) => {
      if (isHttps(server)) server.setSecureContext(options);
    });
    const info = server.address() as AddressInfo;
    const scheme = isHttps(server) ? 'https' : 'http';
    const url = `${scheme}://${formatHostPort(info.address, info.port)}/`;
    this.#address = { host: info.address, port: info.port, url };
    logger.info({ url, basicAuth: (this.#web?.current.settings.users.size ?? 0) > 0 }, 'HTTP server listening');
    return this.#address;
  }

  /** Stops listening and closes every connection; idle keep-alive ones at once. */
  async stop(): Promise<void> {
    this.#web?.close();
    const server = this.#server;
    if (!server?.listening) return;
    const closed = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    server.closeIdleConnections();
    const force = setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS);
    force.unref();
    try {
      await closed;
    } finally {
      clearTimeout(force);
      this.#address = undefined;
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    let reply: Reply;
    try {
      reply = await this.#dispatch(req, method);
    } catch (error) {
      this.#options.logger.error({ err: error, method, url: req.url }, 'HTTP handler failed');
      reply = textReply(500, 'internal server error');
    }
    // The web config's headers first, so a route's own (a content type) wins.
    if (this.#web) reply = { ...reply, headers: { ...this.#web.headers, ...reply.headers } };
    try {
      send(res, method, reply);
    } catch (error) {
      // A handler's reply can be unsendable (an invalid header value): answer 500 instead.
      this.#options.logger.error({ err: error, method, url: req.url }, 'HTTP reply could not be sent');
      if (res.headersSent) res.destroy();
      else {
        for (const name of res.getHeaderNames()) res.removeHeader(name);
        send(res, method, textReply(500, 'internal server error'));
      }
    }
  }

  async #dispatch(req: IncomingMessage, method: string): Promise<Reply> {
    const url = parseRequestTarget(req.url);
    if (!url) return textReply(400, BAD_REQUEST_TARGET);
    // Every route, `/metrics` included: a rebinding page must not read it either.
    const refused = foreignRequestReason(req, this.#listenHost);
    if (refused) return textReply(403, refused);
    // Before routing, so an unauthenticated client cannot tell which paths exist.
    const denied = await this.#web?.refusal(req);
    if (denied) return denied;
    const match = this.#router.match(method, url.pathname);
    if (match.kind === 'not_found') return textReply(404, 'not found');
    if (match.kind === 'method_not_allowed') return textReply(405, 'method not allowed', { allow: match.allow });
    return match.handler({ req, url });
  }
}

function send(res: ServerResponse, method: string, reply: Reply): void {
  const body = reply.body ?? '';
  res.statusCode = reply.status;
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    res.setHeader('content-length', Buffer.byteLength(body));
    res.end(method === 'HEAD' ? undefined : body);
    return;
  }
  const chunks = body;
  res.setHeader(
    'content-length',
    chunks.reduce((n, chunk) => n + chunk.length, 0),
  );
  if (method !== 'HEAD') for (const chunk of chunks) res.write(chunk);
  res.end();
}

/**
 * Creates the agent's HTTP server (not yet listening).
 *
 * @example
 * const server = createServer({ listen: '127.0.0.1:0', metrics: (accept) => sink.metrics(accept), ready: () => true, logger });
 * const { url } = await server.start();
 * server.route('GET', '/probe', handler);
 * await server.stop();
 */
export function createServer(options: ServerOptions): AgentServer {
  return new AgentServer(options);
}
