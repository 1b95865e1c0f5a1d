import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Exposition, MetricsPayload } from '../exporters/prometheus/render.js';
import type { Reply, RequestContext, Router } from './router.js';

const gzipAsync = promisify(gzip);

/** Bodies smaller than this go uncompressed: gzip would cost more than it saves. */
const GZIP_MIN_BYTES = 1024;

const TEXT = 'text/plain; charset=utf-8';
const NO_STORE = 'no-store';

/** What the built-in routes read from the agent. */
export interface BuiltinRouteDeps {
  /**
   * Renders the exposition for an `Accept` header (Prometheus text or OpenMetrics): as
   * text, or as chunks already compressed for the `Accept-Encoding` header.
   */
  metrics: (accept: string | undefined, acceptEncoding: string | undefined) => Promise<MetricsPayload | Exposition>;
  /** Whether the agent is ready to serve (config loaded, checks scheduled). */
  ready: () => boolean;
}

/** A plain-text reply. */
export function textReply(status: number, body: string, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': TEXT, ...headers }, body };
}

function acceptsGzip(ctx: RequestContext): boolean {
  return /\bgzip\b/i.test(ctx.req.headers['accept-encoding'] ?? '');
}

async function metricsReply(deps: BuiltinRouteDeps, ctx: RequestContext): Promise<Reply> {
  const rendered = await deps.metrics(ctx.req.headers.accept, ctx.req.headers['accept-encoding']);
  const headers: Record<string, string> = {
    'content-type': rendered.contentType,
    'cache-control': NO_STORE,
    vary: 'Accept, Accept-Encoding',
  };
  if ('chunks' in rendered) {
    if (rendered.encoding === 'gzip') headers['content-encoding'] = 'gzip';
    return { status: 200, headers, body: rendered.chunks };
  }
  const { body } = rendered;
  // Thousands of checks make a multi-megabyte exposition; Prometheus asks for gzip.
  if (body.length >= GZIP_MIN_BYTES && acceptsGzip(ctx)) {
    return { status: 200, headers: { ...headers, 'content-encoding': 'gzip' }, body: await gzipAsync(body) };
  }
  return { status: 200, headers, body };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The endpoint index: every route of `router` as an HTML list. */
export function indexReply(router: Router): Reply {
  const items = router.list().map(({ method, path, description, prefix }) => {
    const name =
      method === 'GET' && !prefix ? `<a href="${escapeHtml(path)}">${escapeHtml(path)}</a>` : escapeHtml(path);
    return `<li><code>${method}</code> ${name}${description ? ` — ${escapeHtml(description)}` : ''}</li>`;
  });
  const body = [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"><title>canary</title></head><body>',
    '<h1>canary</h1>',
    `<ul>${items.join('')}</ul>`,
    '</body></html>',
    '',
  ].join('\n');
  return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body };
}

/** Registers `/endpoints` (the endpoint index), `/metrics`, `/healthz` and `/readyz`; the agent serves its status page at `/`. */
export function registerBuiltinRoutes(router: Router, deps: BuiltinRouteDeps): void {
  router.route('GET', '/endpoints', () => indexReply(router), { description: 'this page: every endpoint' });
  router.route('GET', '/metrics', (ctx) => metricsReply(deps, ctx), {
    description: 'Prometheus metrics (OpenMetrics when the Accept header asks for it)',
  });
  router.route('GET', '/healthz', () => textReply(200, 'ok', { 'cache-control': NO_STORE }), {
    description: 'liveness: 200 while the process serves',
  });
  router.route(
    'GET',
    '/readyz',
    () =>
      deps.ready()
        ? textReply(200, 'ready', { 'cache-control': NO_STORE })
        : textReply(503, 'not ready', { 'cache-control': NO_STORE }),
    { description: 'readiness: 200 when the agent is running its checks, else 503' },
  );
}
