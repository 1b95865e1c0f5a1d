/** blackbox's `http:` module section as canary's `http:`, `tls:` and `expect:`. */
import { celProblem } from '../schema/cel.js';
import { CLIENT_FIELDS, translateClient } from './client.js';
import type { Draft } from './draft.js';
import { acceptsCompression } from './compression.js';
import { ipFamily } from './ip.js';
import { Fields, type FieldType } from './reader.js';
import type { PathKey } from '../yaml.js';
import { goRegex } from './regex.js';
import { parseBase2Bytes } from './units.js';

export const HTTP_FIELDS: Readonly<Record<string, FieldType>> = {
  ...CLIENT_FIELDS,
  valid_status_codes: 'ints',
  valid_http_versions: 'strings',
  preferred_ip_protocol: 'string',
  ip_protocol_fallback: 'bool',
  skip_resolve_phase_with_proxy: 'bool',
  no_follow_redirects: 'bool',
  fail_if_ssl: 'bool',
  fail_if_not_ssl: 'bool',
  method: 'string',
  headers: 'stringMap',
  fail_if_body_matches_regexp: 'strings',
  fail_if_body_not_matches_regexp: 'strings',
  fail_if_body_json_matches_cel: 'string',
  fail_if_body_json_not_matches_cel: 'string',
  fail_if_header_matches: 'list',
  fail_if_header_not_matches: 'list',
  body: 'string',
  body_file: 'string',
  compression: 'string',
  body_size_limit: 'string',
  enable_http3: 'bool',
};

const HEADER_MATCH_FIELDS: Readonly<Record<string, FieldType>> = {
  header: 'string',
  regexp: 'string',
  allow_missing: 'bool',
};

/** Largest body canary reads (http.maxBodySize), standing in for blackbox's "no limit". */
const MAX_BODY = 64 * 1024 * 1024;

/** A pattern into canary's expectation list `path`, as `{ [key]: pattern }`. */
function pattern(http: Fields, draft: Draft, at: readonly PathKey[], source: string, set: (ok: string) => void): void {
  const read = goRegex(source);
  if ('invalid' in read) http.report.problem(at, `${JSON.stringify(source)} ${read.invalid}`);
  else if ('unsupported' in read) draft.cannot(at, read.unsupported);
  else set(read.ok);
}

function bodyMatches(http: Fields, draft: Draft): void {
  for (const [key, as] of [
    ['fail_if_body_matches_regexp', 'notMatches'],
    ['fail_if_body_not_matches_regexp', 'matches'],
  ] as const) {
    for (const [i, source] of (http.strings(key) ?? []).entries()) {
      const at = http.at(key, i);
      pattern(http, draft, at, source, (ok) => draft.push(['expect', 'body'], { [as]: ok }, at));
    }
  }
  for (const [key, as] of [
    ['fail_if_body_json_matches_cel', 'notMatches'],
    ['fail_if_body_json_not_matches_cel', 'matches'],
  ] as const) {
    const expression = http.str(key);
    if (expression === undefined) continue;
    const problem = celProblem(expression);
    if (problem !== undefined) http.report.problem(http.at(key), problem);
    else draft.push(['expect', 'cel'], { [as]: expression }, http.at(key));
  }
}

function headerMatches(http: Fields, draft: Draft): void {
  for (const [key, as] of [
    ['fail_if_header_matches', 'notMatches'],
    ['fail_if_header_not_matches', 'matches'],
  ] as const) {
    for (const [i, item] of (http.list(key) ?? []).entries()) {
      const match = new Fields(http.report, http.at(key, i), item, HEADER_MATCH_FIELDS);
      const name = match.str('header');
      const source = match.str('regexp');
      if (name === undefined || name === '') http.report.problem(match.path, 'header must be set for a header matcher');
      if (source === undefined || source === '')
        http.report.problem(match.path, 'regexp must be set for a header matcher');
      if (!name || !source) continue;
      const allowMissing = match.bool('allow_missing') ?? false;
      pattern(http, draft, match.at('regexp'), source, (ok) =>
        draft.push(['expect', 'headers'], { name, [as]: ok, ...(allowMissing ? { allowMissing } : {}) }, match.path),
      );
    }
  }
}

/** HTTP/3 and the versions canary answers with (it speaks HTTP/1.1 to targets). */
function versions(http: Fields, draft: Draft): void {
  const http3 = http.bool('enable_http3') === true;
  const valid = http.strings('valid_http_versions') ?? [];
  if (!http3 && valid.includes('HTTP/3.0')) {
    http.report.problem(http.at('valid_http_versions'), 'HTTP/3.0 needs enable_http3: true');
  }
  if (http3 && valid.some((v) => v === 'HTTP/1.1' || v === 'HTTP/2.0')) {
    http.report.problem(http.at('valid_http_versions'), 'with enable_http3 only HTTP/3.0 may be listed');
  }
  if (http3 && http.bool('enable_http2') !== false) {
    http.report.problem(http.at('enable_http3'), 'enable_http3 needs enable_http2: false');
  }
  if (http3) draft.cannot(http.at('enable_http3'), 'HTTP/3 is not available in canary');
  else if (valid.length > 0 && !valid.includes('HTTP/1.1')) {
    draft.cannot(
      http.at('valid_http_versions'),
      `canary speaks HTTP/1.1, which ${JSON.stringify(valid)} does not accept`,
    );
  }
}

function request(http: Fields, draft: Draft, readText: (path: string) => string): void {
  const method = http.str('method');
  if (method !== undefined) draft.set(['http', 'method'], method.toUpperCase(), http.at('method'));
  draft.copy(http, 'headers', 'stringMap', ['http', 'headers']);
  draft.copy(http, 'body', 'str', ['http', 'body']);
  const bodyFile = http.str('body_file');
  if (bodyFile !== undefined && http.has('body'))
    http.report.problem(http.at('body_file'), 'body and body_file may not both be set');
  else if (bodyFile !== undefined) {
    try {
      draft.set(['http', 'body'], readText(bodyFile), http.at('body_file'));
    } catch (err) {
      // blackbox opens the file when it probes: the file loads, and this module says why it cannot.
      draft.cannot(
        http.at('body_file'),
        `cannot read ${bodyFile}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`,
      );
    }
  }
  const noFollow = http.bool('no_follow_redirects');
  if (noFollow !== undefined) {
    draft.set(['http', 'followRedirects'], !noFollow, http.at('no_follow_redirects'));
    draft.note(
      http.at('no_follow_redirects'),
      'no_follow_redirects is deprecated in blackbox_exporter: write follow_redirects',
    );
  }
  const family = ipFamily(http);
  if (family !== undefined) draft.set(['http', 'ipFamily'], family, http.at('preferred_ip_protocol'));
  const fallback = http.bool('ip_protocol_fallback');
  if (fallback !== undefined) draft.set(['http', 'ipFallback'], fallback, http.at('ip_protocol_fallback'));
}

function limits(http: Fields, draft: Draft): void {
  const text = http.str('body_size_limit');
  if (text === undefined) {
    draft.set(['http', 'maxBodySize'], MAX_BODY, http.path);
    return;
  }
  const bytes = parseBase2Bytes(text);
  if (bytes === undefined)
    http.report.problem(http.at('body_size_limit'), `${JSON.stringify(text)} is not a size such as 10MB`);
  else if (bytes === 0 || bytes > MAX_BODY) {
    draft.set(['http', 'maxBodySize'], MAX_BODY, http.at('body_size_limit'));
    draft.note(
      http.at('body_size_limit'),
      'canary reads at most 64MiB of a body: larger ones fail with reason body_too_large',
    );
  } else draft.set(['http', 'maxBodySize'], bytes, http.at('body_size_limit'));
}

function compression(http: Fields, draft: Draft): void {
  const encoding = http.str('compression');
  if (encoding === undefined || encoding === '') return;
  for (const [name, value] of Object.entries(http.stringMap('headers') ?? {})) {
    if (name.toLowerCase() === 'accept-encoding' && !acceptsCompression(encoding, value)) {
      http.report.problem(http.at('headers', name), `"${name}: ${value}" does not accept compression: ${encoding}`);
    }
  }
  if (['identity', 'gzip', 'deflate', 'br'].includes(encoding))
    draft.set(['http', 'compression'], encoding, http.at('compression'));
  else
    http.report.problem(
      http.at('compression'),
      `unknown compression ${JSON.stringify(encoding)} (gzip, deflate, br or identity)`,
    );
}

/** Translates an http module's `http:` section. */
export function translateHttp(http: Fields, draft: Draft, readText: (path: string) => string): void {
  const codes = http.ints('valid_status_codes') ?? [];
  if (codes.length > 0) draft.set(['expect', 'status'], codes, http.at('valid_status_codes'));
  versions(http, draft);
  request(http, draft, readText);
  limits(http, draft);
  compression(http, draft);
  bodyMatches(http, draft);
  headerMatches(http, draft);
  if (http.bool('fail_if_ssl') === true) draft.set(['expect', 'ssl'], false, http.at('fail_if_ssl'));
  if (http.bool('fail_if_not_ssl') === true) draft.set(['expect', 'ssl'], true, http.at('fail_if_not_ssl'));
  if (http.bool('skip_resolve_phase_with_proxy') === true) {
    draft.note(http.at('skip_resolve_phase_with_proxy'), 'has no effect in canary');
  }
  translateClient(http, draft, readText);
}
