import type { IncomingMessage } from 'node:http';
import { CanaryError, ERROR_CODES } from '../errors.js';

/** Methods a route can be registered for; `HEAD` comes with every `GET`. */
export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a handler answers. The server adds `Content-Length` and drops the body for `HEAD`. */
export interface Reply {
  status: number;
  /** Response headers; names in any case. */
  headers?: Record<string, string>;
  /** Text, bytes, or chunks written one after another (a large exposition). */
  body?: string | Buffer | readonly Uint8Array[];
}

/** What a handler gets: the request (headers, body stream) and its parsed URL. */
export interface RequestContext {
  req: IncomingMessage;
  url: URL;
}

/** Answers one request. A throw or rejection becomes a 500 and is logged; it never stops the server. */
export type RouteHandler = (ctx: RequestContext) => Reply | Promise<Reply>;

/** Extra facts about a route. */
export interface RouteOptions {
  /** One line for the index page at `/`. */
  description?: string;
}

/** A registered route, as listed on the index page. */
export interface RouteInfo {
  method: RouteMethod;
  path: string;
  description: string;
  /** A prefix route: `path` ends in `/` and stands for every path below it. */
  prefix?: true;
}

type Methods = Map<RouteMethod, { handler: RouteHandler; description: string }>;

/** The outcome of looking a request up. */
export type RouteMatch =
  { kind: 'found'; handler: RouteHandler } | { kind: 'not_found' } | { kind: 'method_not_allowed'; allow: string };

function add(
  table: Map<string, Methods>,
  method: RouteMethod,
  path: string,
  handler: RouteHandler,
  options: RouteOptions,
): void {
  if (!path.startsWith('/')) throw new CanaryError(ERROR_CODES.internal, `route path must start with "/": ${path}`);
  let methods = table.get(path);
  if (!methods) {
    methods = new Map();
    table.set(path, methods);
  }
  if (methods.has(method)) throw new CanaryError(ERROR_CODES.internal, `route ${method} ${path} is already registered`);
  methods.set(method, { handler, description: options.description ?? '' });
}

/**
 * An exact-path route table, plus prefix routes for paths that carry a name
 * (`/api/v1/checks/NAME`). Features add their endpoints (`/probe`, `/-/reload`, chaos
 * control) with `route()` instead of editing the server, and a path that exists answers
 * 405 with `Allow` for other methods rather than 404.
 */
export class Router {
  readonly #paths = new Map<string, Methods>();
  readonly #prefixes = new Map<string, Methods>();

  /** Registers a handler; registering the same method and path twice is a bug and throws. */
  route(method: RouteMethod, path: string, handler: RouteHandler, options: RouteOptions = {}): void {
    add(this.#paths, method, path, handler, options);
  }

  /**
   * Registers a handler for every path below `prefix` (which ends in `/`); an exact route
   * wins over it, and the longest prefix over shorter ones. The handler reads the rest of
   * the path from the request's URL.
   */
  routePrefix(method: RouteMethod, prefix: string, handler: RouteHandler, options: RouteOptions = {}): void {
    if (!prefix.endsWith('/')) throw new CanaryError(ERROR_CODES.internal, `route prefix must end in "/": ${prefix}`);
    add(this.#prefixes, method, prefix, handler, options);
  }

  /** The methods of the longest prefix route that `path` is below, if any. */
  #prefixMethods(path: string): Methods | undefined {
    let best: string | undefined;
    for (const prefix of this.#prefixes.keys())
      if (path.length > prefix.length && path.startsWith(prefix) && prefix.length > (best?.length ?? 0)) best = prefix;
    return best === undefined ? undefined : this.#prefixes.get(best);
  }

  /** Finds the handler for a method and path. */
  match(method: string, path: string): RouteMatch {
    const methods = this.#paths.get(path) ?? this.#prefixMethods(path);
    if (!methods) return { kind: 'not_found' };
    const entry = methods.get(method as RouteMethod) ?? (method === 'HEAD' ? methods.get('GET') : undefined);
    if (entry) return { kind: 'found', handler: entry.handler };
    const allow = [...methods.keys()].flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m]));
    return { kind: 'method_not_allowed', allow: allow.join(', ') };
  }

  /** Every route, sorted by path then method. */
  list(): RouteInfo[] {
    const exact = [...this.#paths.entries()].map(([path, methods]) => ({ path, methods, prefix: false }));
    const prefixes = [...this.#prefixes.entries()].map(([path, methods]) => ({ path, methods, prefix: true }));
    return [...exact, ...prefixes]
      .sort((a, b) => a.path.localeCompare(b.path))
      .flatMap(({ path, methods, prefix }) =>
        [...methods].map(([method, { description }]) => ({
          method,
          path,
          description,
          ...(prefix ? { prefix: true as const } : {}),
        })),
      );
  }
}
