/**
 * Raw HTTP requests for the fuzz tests: methods, paths, query strings, headers and bodies
 * that a client, a scanner or an attacker may send, well-formed or not (malformed
 * percent-encoding, odd methods, huge headers, bodies that are not what they claim). Only
 * the bytes are random: every request goes to a loopback server the test started.
 */
import fc from 'fast-check';

/** One request, and the bytes that carry it. */
export interface FuzzRequest {
  method: string;
  target: string;
  headers: [string, string][];
  body: string;
}

/** Percent-encoding as it should be and as it should not. */
const percentJunk = fc.constantFrom(
  '%',
  '%%',
  '%zz',
  '%E0%A4%A',
  '%C0%AF',
  '%00',
  '%FF%FE',
  '%2F',
  '%252F',
  '%u0041',
  '%0d%0a',
);

/** Free text, sometimes with percent junk and non-ASCII in it. */
export const junk = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  percentJunk,
  fc.tuple(fc.string({ maxLength: 6 }), percentJunk, fc.string({ maxLength: 6 })).map((p) => p.join('')),
  fc.constantFrom('', '..', '../..', '/', '//', '\\', '*', '[', '{}', 'null', '-1', '1e309', 'NaN', 'a'.repeat(3000)),
);

/** A query component: its characters as a client would encode them, or raw junk. */
const component = fc.oneof(
  { arbitrary: junk.map((s) => encodeURIComponent(s)), weight: 4 },
  { arbitrary: junk.map((s) => s.replace(/[\s#]/g, '+')), weight: 1 },
);

/**
 * `?k=v&...`: the named parameters with their own values, and random ones. A random name
 * never decodes to a named one, so a named parameter only ever carries the values given
 * (the /probe target: loopback addresses only).
 */
export function queryString(params: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<string> {
  const named = Object.keys(params);
  const safeName = (s: string) => {
    try {
      return !named.includes(decodeURIComponent(s.replace(/\+/g, ' ')));
    } catch {
      return true;
    }
  };
  const pair = fc.oneof(
    { arbitrary: fc.constantFrom(...named).chain((k) => fc.tuple(fc.constant(k), params[k]!)), weight: 4 },
    { arbitrary: fc.tuple(component.filter(safeName), component), weight: 1 },
  );
  return fc
    .array(pair, { maxLength: 4 })
    .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`));
}

/** A parameter's values: `values` encoded as a client would, or as they are (junk included). */
export function param(values: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: values.map(encodeURIComponent), weight: 4 },
    { arbitrary: values.map((v) => v.replace(/[\s#&]/g, '+')), weight: 1 },
  );
}

/** A path: one of `routes`, perhaps with a junk suffix, or a junk path. */
export function pathOf(routes: readonly string[]): fc.Arbitrary<string> {
  const encoded = (s: string) => encodeURI(s).replace(/[?#]/g, '');
  return fc.oneof(
    { arbitrary: fc.constantFrom(...routes), weight: 6 },
    { arbitrary: fc.tuple(fc.constantFrom(...routes), junk).map(([r, j]) => `${r}${encoded(j)}`), weight: 2 },
    {
      arbitrary: fc.tuple(fc.constantFrom('/', '//', '/./', '/%2e%2e/'), junk).map(([p, j]) => p + encoded(j)),
      weight: 1,
    },
    { arbitrary: percentJunk.map((p) => `/${p}`), weight: 1 },
  );
}

/** Methods: the usual ones often, odd ones sometimes (the HTTP parser refuses some). */
export const method = fc.oneof(
  { arbitrary: fc.constantFrom('GET', 'POST', 'HEAD'), weight: 12 },
  {
    arbitrary: fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'M-SEARCH', 'PURGE'),
    weight: 2,
  },
  { arbitrary: fc.constantFrom('get', 'FOO', 'G ET', ''), weight: 1 },
);

/** Header values: ordinary, empty, long, with junk (control characters stripped: they end the header). */
export const headerValue = fc.oneof(
  { arbitrary: junk.map((s) => s.replace(/[\r\n]/g, ' ')), weight: 4 },
  { arbitrary: fc.constantFrom('', ' ', '0', '-1', '1e309', 'NaN', '0.1', '99999999999'), weight: 4 },
  { arbitrary: fc.integer({ min: 1, max: 12 }).map((k) => 'x'.repeat(k * 1500)), weight: 1 },
);

/**
 * Extra headers beyond `Host` and `Connection`: chosen names with generated values, and
 * now and then very many or very large ones (past the parser's 16 KiB limit: 431).
 */
export function headers(names: readonly string[], values: fc.Arbitrary<string>): fc.Arbitrary<[string, string][]> {
  const one = fc.oneof(
    fc.tuple(
      fc.constantFrom(...names),
      fc.oneof({ arbitrary: values, weight: 3 }, { arbitrary: headerValue, weight: 1 }),
    ),
    fc.tuple(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/), headerValue),
  );
  return fc.oneof(
    { arbitrary: fc.array(one, { maxLength: 5 }), weight: 19 },
    {
      arbitrary: fc
        .integer({ min: 50, max: 400 })
        .map((n) => Array.from({ length: n }, (_, i): [string, string] => [`x-h${i}`, 'v'])),
      weight: 1,
    },
  );
}

/** Bodies: none, JSON-ish, text, binary-ish, or large. */
export function body(json: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constant(''), weight: 4 },
    { arbitrary: json.map((v) => JSON.stringify(v) ?? 'undefined'), weight: 4 },
    { arbitrary: junk, weight: 2 },
    { arbitrary: fc.constantFrom('{', '[]', '"', '{"a":', 'null', '1', '\u0000\u0001'), weight: 1 },
    { arbitrary: fc.integer({ min: 1, max: 4 }).map((k) => `{"x":"${'y'.repeat(k * 300_000)}"}`), weight: 1 },
  );
}

/** The bytes of `request` to `host`: Content-Length set for a body unless a header already says otherwise. */
export function requestBytes(request: FuzzRequest, host: string): Buffer {
  const names = new Set(request.headers.map(([n]) => n.toLowerCase()));
  const lines = [`${request.method} ${request.target} HTTP/1.1`];
  if (!names.has('host')) lines.push(`Host: ${host}`);
  lines.push('Connection: close');
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  const body = Buffer.from(request.body, 'utf8');
  if (!names.has('content-length') && !names.has('transfer-encoding') && body.length > 0)
    lines.push(`Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

/** A request from parts: the method, `path + query`, headers and body arbitraries given. */
export function request(
  path: fc.Arbitrary<string>,
  query: fc.Arbitrary<string>,
  head: fc.Arbitrary<[string, string][]>,
  payload: fc.Arbitrary<string>,
): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({ method, path, query, headers: head, body: payload })
    .map(({ path: p, query: q, ...rest }) => ({ ...rest, target: `${p}${q}` }));
}
