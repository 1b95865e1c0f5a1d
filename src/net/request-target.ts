/**
 * Parses an HTTP request target, the second word of the request line. Every server of the
 * project reads it here: `new URL(target, base)` throws on targets that Node's parser lets
 * through (`//[`), and a throw in a request handler is a 500 or a dead process. Undefined
 * tells the caller to answer 400 with {@link BAD_REQUEST_TARGET}.
 *
 * An origin-form path must be RFC 3986 characters (`[` `]` `{` `"` `|` and the like are
 * percent-encoded by every client), so a server never routes on a path no client meant;
 * the query is left to the URL parser, which encodes what it must. The path is prefixed
 * with a fixed origin rather than resolved against a base, so `//host/x` stays a path and
 * cannot name another host. Absolute-form targets (as sent to proxies) are read as URLs.
 *
 * @example
 * parseRequestTarget('/probe?target=x')?.pathname; // '/probe'
 * parseRequestTarget('//['); // undefined
 */
export function parseRequestTarget(target: string | undefined): URL | undefined {
  const text = target ?? '/';
  if (text.startsWith('/') && !ORIGIN_FORM_PATH.test(text.split('?', 1)[0] ?? '')) return undefined;
  try {
    return new URL(text.startsWith('/') ? `http://localhost${text}` : text);
  } catch {
    return undefined;
  }
}

/** RFC 3986 path-absolute: `/` then unreserved, sub-delims, `:`, `@`, `/` and `%XX` escapes. */
const ORIGIN_FORM_PATH = /^(?:\/|[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})*$/;

/** The 400 reason every server gives for a target {@link parseRequestTarget} refused. */
export const BAD_REQUEST_TARGET = 'bad request target: not an RFC 3986 path or absolute URL';
