/** blackbox's `tcp:`, `unix:` and `websocket:` sections: a conversation of query_response steps. */
import { CLIENT_FIELDS } from './client.js';
import type { Draft } from './draft.js';
import { ipFamily } from './ip.js';
import { Fields, type FieldType } from './reader.js';
import { goRegex } from './regex.js';
import { TLS_FIELDS, translateTls } from './tls.js';
import { translateWebsocketClient } from './websocket-client.js';

export const TCP_FIELDS: Readonly<Record<string, FieldType>> = {
  preferred_ip_protocol: 'string',
  ip_protocol_fallback: 'bool',
  source_ip_address: 'string',
  query_response: 'list',
  tls: 'bool',
  tls_config: 'map',
};

export const UNIX_FIELDS: Readonly<Record<string, FieldType>> = {
  query_response: 'list',
  tls: 'bool',
  tls_config: 'map',
};

export const WEBSOCKET_FIELDS: Readonly<Record<string, FieldType>> = {
  http_config: 'map',
  headers: 'map',
  query_response: 'list',
  preferred_ip_protocol: 'string',
  ip_protocol_fallback: 'bool',
};

const STEP_FIELDS: Readonly<Record<string, FieldType>> = {
  expect: 'string',
  expect_bytes: 'string',
  labels: 'list',
  send: 'bytes',
  starttls: 'bool',
};

type Step =
  { expect?: string; expectBytes?: string; send?: string; sendBytes?: string; labels?: Label[] } | { starttls: true };
type Label = { name: string; value: string };

const LABEL_FIELDS: Readonly<Record<string, FieldType>> = { name: 'string', value: 'string' };

/** `labels:` of an entry, for `probe_expect_info` on /probe. */
function labelsOf(entry: Fields): Label[] | undefined {
  const list = entry.list('labels');
  if (list === undefined) return undefined;
  return list.flatMap((item, i) => {
    const label = new Fields(entry.report, entry.at('labels', i), item, LABEL_FIELDS);
    const name = label.str('name');
    return name === undefined ? [] : [{ name, value: label.str('value') ?? '' }];
  });
}

/**
 * What an entry sends. blackbox writes every send followed by a newline (`%s\n`), a
 * `!!binary` one too; bytes that are not text go as `sendBytes`, in base64.
 */
function sendOf(
  entry: Fields,
  draft: Draft,
  kind: 'tcp' | 'unix' | 'websocket',
): Partial<Record<'send' | 'sendBytes', string>> {
  const raw = entry.textOrBytes('send');
  if (raw === undefined) return {};
  if (typeof raw === 'string') return { send: kind === 'websocket' ? raw : `${raw}\n` };
  if (kind === 'websocket') {
    draft.cannot(entry.at('send'), 'a websocket step sends text messages only');
    return {};
  }
  return { sendBytes: Buffer.concat([raw, Buffer.from('\n')]).toString('base64') };
}

/**
 * One query_response entry as canary steps: expect, then send (blackbox ends each send
 * with a newline), then a STARTTLS upgrade as a step of its own. A websocket entry is split
 * into expect and send, since a websocket step sends first.
 */
function steps(entry: Fields, draft: Draft, kind: 'tcp' | 'unix' | 'websocket'): Step[] {
  const out: Step[] = [];
  const source = entry.str('expect');
  if (source !== undefined && entry.has('expect_bytes')) {
    entry.report.problem(entry.at('expect_bytes'), 'expect and expect_bytes are mutually exclusive');
  }
  let expect: string | undefined;
  if (source !== undefined) {
    const read = goRegex(source);
    if ('invalid' in read) entry.report.problem(entry.at('expect'), `${JSON.stringify(source)} ${read.invalid}`);
    else if ('unsupported' in read) draft.cannot(entry.at('expect'), read.unsupported);
    else expect = read.ok;
  }
  const expectBytes = entry.str('expect_bytes');
  const labels = labelsOf(entry);
  if (labels !== undefined && source === undefined)
    entry.report.problem(entry.at('labels'), 'labels need an expect whose match fills them');
  const send = sendOf(entry, draft, kind);
  if (kind === 'websocket') {
    if (expectBytes !== undefined) draft.cannot(entry.at('expect_bytes'), 'a websocket step matches text messages');
    if (labels !== undefined) draft.note(entry.at('labels'), 'probe_expect_info labels are not exported for websocket');
    if (expect !== undefined) out.push({ expect });
    if (send.send !== undefined) out.push({ send: send.send });
  } else {
    const step = {
      ...(expect === undefined ? {} : { expect }),
      ...(expectBytes === undefined ? {} : { expectBytes }),
      ...(labels === undefined || expect === undefined ? {} : { labels }),
      ...send,
    };
    if (Object.keys(step).length > 0) out.push(step);
  }
  if (entry.bool('starttls') === true) {
    if (kind === 'websocket') draft.cannot(entry.at('starttls'), 'a websocket conversation has no STARTTLS');
    else out.push({ starttls: true });
  }
  return out;
}

function conversation(section: Fields, draft: Draft, kind: 'tcp' | 'unix' | 'websocket'): void {
  for (const [i, item] of (section.list('query_response') ?? []).entries()) {
    const entry = new Fields(section.report, section.at('query_response', i), item, STEP_FIELDS);
    for (const step of steps(entry, draft, kind)) draft.push([kind, 'steps'], step, entry.path);
  }
}

export function translateTcp(tcp: Fields, draft: Draft): void {
  conversation(tcp, draft, 'tcp');
  draft.copy(tcp, 'tls', 'bool', ['tcp', 'tls']);
  translateTls(tcp.section('tls_config', TLS_FIELDS), draft);
  const family = ipFamily(tcp);
  if (family !== undefined) draft.set(['tcp', 'ipFamily'], family, tcp.at('preferred_ip_protocol'));
  if (tcp.bool('ip_protocol_fallback') === false)
    draft.set(['tcp', 'ipFallback'], false, tcp.at('ip_protocol_fallback'));
  if (tcp.has('source_ip_address'))
    draft.set(['tcp', 'sourceIp'], tcp.str('source_ip_address'), tcp.at('source_ip_address'));
}

export function translateUnix(unix: Fields, draft: Draft): void {
  conversation(unix, draft, 'unix');
  if (unix.bool('tls') === true) draft.set(['unix', 'tls'], true, unix.at('tls'));
  translateTls(unix.section('tls_config', TLS_FIELDS), draft);
}

const HEADER_FIELDS: Readonly<Record<string, FieldType>> = { values: 'strings', secrets: 'strings', files: 'strings' };

export function translateWebsocket(ws: Fields, draft: Draft): void {
  conversation(ws, draft, 'websocket');
  for (const [name, value] of Object.entries(ws.raw('headers'))) {
    // blackbox's own example writes a header as a plain string, besides values/secrets/files.
    if (typeof value === 'string') {
      draft.set(['websocket', 'headers', name], value, ws.at('headers', name));
      continue;
    }
    const header = new Fields(ws.report, ws.at('headers', name), value, HEADER_FIELDS);
    const values = [...(header.strings('values') ?? []), ...(header.strings('secrets') ?? [])];
    // As blackbox: with several values, only the last one is sent.
    if (values.length > 0) draft.set(['websocket', 'headers', name], values.at(-1), header.path);
    if (header.has('files')) draft.cannot(header.at('files'), 'header values from files; write them as values');
  }
  const family = ipFamily(ws);
  if (family !== undefined) draft.set(['websocket', 'ipFamily'], family, ws.at('preferred_ip_protocol'));
  if (ws.bool('ip_protocol_fallback') === false)
    draft.set(['websocket', 'ipFallback'], false, ws.at('ip_protocol_fallback'));
  if (ws.has('http_config'))
    translateWebsocketClient(ws.section('http_config', CLIENT_FIELDS), draft, Object.keys(CLIENT_FIELDS));
}
