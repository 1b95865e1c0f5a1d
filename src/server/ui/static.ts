/**
 * The status page: `GET /` and its assets under `/ui/`, read once from the package's `ui/`
 * folder (plain files, shipped as they are). Every reply carries a Content-Security-Policy
 * that allows nothing but this origin, so the page works offline and cannot be made to
 * load or post anywhere else.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../../version.js';
import type { Reply, RequestContext, RouteHandler } from '../router.js';

/** Where the page's files are: `ui/` at the package root, beside `dist/`. */
export const UI_DIR = resolve(PACKAGE_ROOT, 'ui');

/** The asset kinds the page is made of; anything else in the folder is not served. */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Only this origin; no framing, no `<base>`, no plugins, forms only back here. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'; object-src 'none'";

/** One file of the page, ready to send. */
export interface StaticAsset {
  /** The path it is served at: `/` for index.html, `/ui/NAME` otherwise. */
  path: string;
  contentType: string;
  body: Buffer;
  etag: string;
}

/** Reads the page's files from `dir` (default: the package's `ui/`). */
export function loadAssets(dir: string = UI_DIR): StaticAsset[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && CONTENT_TYPES[extname(entry.name)] !== undefined)
    .map((entry) => {
      const body = readFileSync(join(dir, entry.name));
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
      const path = entry.name === 'index.html' ? '/' : `/ui/${entry.name}`;
      return { path, contentType: CONTENT_TYPES[extname(entry.name)] as string, body, etag };
    });
}

/**
 * Answers one asset. `no-cache` with an ETag: the browser revalidates on every load (a 304
 * when unchanged), so an upgraded agent never runs a page cached from the old one.
 */
export function assetHandler(asset: StaticAsset): RouteHandler {
  return (ctx: RequestContext): Reply => {
    const headers: Record<string, string> = {
      'content-type': asset.contentType,
      'cache-control': 'no-cache',
      etag: asset.etag,
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    };
    const match = ctx.req.headers['if-none-match'];
    if (match !== undefined && match.split(',').some((tag) => tag.trim() === asset.etag)) {
      return { status: 304, headers };
    }
    return { status: 200, headers, body: asset.body };
  };
}
