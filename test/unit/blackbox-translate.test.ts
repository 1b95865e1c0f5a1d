import { test } from 'node:test';
import assert from 'node:assert/strict';
import { translateBlackbox, type Translation } from '../../src/config/blackbox/translate.js';
import { formatProblem } from '../../src/errors.js';
import { redactText } from '../../src/secrets/redact.js';
import { parseYaml, yamlData } from '../../src/config/yaml.js';

const FILE = 'blackbox.yml';

/** Translates YAML text written with two-space indents; `files` answers body_file reads. */
function translate(text: string, files: Record<string, string> = {}): Translation {
  const { source, problems } = parseYaml(FILE, text);
  assert.deepEqual(problems, []);
  return translateBlackbox(source, yamlData(source, {}).value, {
    readText: (path) => {
      const content = files[path];
      if (content === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
      return content;
    },
  });
}

function only(text: string, files?: Record<string, string>) {
  const out = translate(text, files);
  assert.deepEqual(out.problems.map(formatProblem), [], 'no problems');
  assert.equal(out.modules.length, 1);
  return { ...(out.modules[0] as Translation['modules'][number]), warnings: out.warnings.map(formatProblem) };
}

function refused(text: string): string[] {
  return translate(text).problems.map(formatProblem);
}

test('an http module: every request, expectation and client field lands on its canary name', () => {
  const m = only(`modules:
  web:
    prober: http
    timeout: 5s
    http:
      valid_status_codes: [200, 204]
      valid_http_versions: [HTTP/1.1, HTTP/2.0]
      method: post
      headers:
        Host: example.com
      body: '{"q":1}'
      follow_redirects: false
      fail_if_not_ssl: true
      fail_if_body_matches_regexp: [error]
      fail_if_body_not_matches_regexp: ['(?i)ok']
      fail_if_body_json_matches_cel: 'body.status == "down"'
      fail_if_body_json_not_matches_cel: 'body.count > 0'
      fail_if_header_matches:
        - header: Server
          regexp: nginx
      fail_if_header_not_matches:
        - header: Access-Control-Allow-Origin
          regexp: '(\\*|example\\.com)'
          allow_missing: true
      preferred_ip_protocol: ip4
      ip_protocol_fallback: false
      body_size_limit: 2MB
      tls_config:
        ca_file: ca.pem
        cert_file: client.pem
        key_file: client.key
        server_name: api.example.com
        insecure_skip_verify: true
        min_version: TLS12
`);
  assert.deepEqual(m.module, {
    prober: 'http',
    timeout: '5000ms',
    expect: {
      status: [200, 204],
      ssl: true,
      body: [{ notMatches: 'error' }, { matches: '(?i)ok' }],
      cel: [{ notMatches: 'body.status == "down"' }, { matches: 'body.count > 0' }],
      headers: [
        { name: 'Server', notMatches: 'nginx' },
        { name: 'Access-Control-Allow-Origin', matches: '(\\*|example\\.com)', allowMissing: true },
      ],
    },
    http: {
      method: 'POST',
      headers: { Host: 'example.com' },
      body: '{"q":1}',
      ipFamily: 'ipv4',
      ipFallback: false,
      maxBodySize: 2 * 1024 * 1024,
      followRedirects: false,
    },
    tls: { ca: 'ca.pem', cert: 'client.pem', key: 'client.key', serverName: 'api.example.com', insecure: true },
  });
  assert.deepEqual(m.unsupported, []);
  assert.deepEqual(m.warnings, []);
  assert.deepEqual(m.origins.get('http.method'), ['modules', 'web', 'http', 'method']);
  assert.deepEqual(m.origins.get('expect.headers.1'), ['modules', 'web', 'http', 'fail_if_header_not_matches', 0]);
});

test('authentication and proxy map to http.auth and http.proxy', () => {
  const basic = only(`modules:
  a:
    prober: http
    http:
      basic_auth: { username: u, password_file: pw.txt }
      proxy_url: http://proxy:3128
      proxy_connect_header: { Proxy-Authorization: [Basic abc] }
`);
  assert.deepEqual(basic.module.http, {
    auth: { basic: { username: 'u', passwordFile: 'pw.txt' } },
    proxy: { url: 'http://proxy:3128', connectHeaders: { 'Proxy-Authorization': 'Basic abc' } },
    maxBodySize: 64 * 1024 * 1024,
  });
  const bearer = only(`modules:
  b:
    prober: http
    http: { bearer_token_file: token.txt }
`);
  assert.deepEqual((bearer.module.http as Record<string, unknown>).auth, { bearer: { tokenFile: 'token.txt' } });
  const authorization = only(`modules:
  c:
    prober: http
    http: { authorization: { credentials: s3cret } }
`);
  assert.deepEqual((authorization.module.http as Record<string, unknown>).auth, { bearer: { token: 's3cret' } });
  const custom = only(`modules:
  d:
    prober: http
    http: { authorization: { type: Token, credentials: s3cret } }
`);
  assert.deepEqual((custom.module.http as Record<string, unknown>).headers, { Authorization: 'Token s3cret' });
  const oauth = only(`modules:
  e:
    prober: http
    http:
      oauth2:
        client_id: id
        client_secret: secret
        token_url: https://auth.example.com/token
        scopes: [read]
        endpoint_params: { audience: api }
`);
  assert.deepEqual((oauth.module.http as Record<string, unknown>).auth, {
    oauth2: {
      clientId: 'id',
      clientSecret: 'secret',
      tokenUrl: 'https://auth.example.com/token',
      scopes: ['read'],
      endpointParams: { audience: 'api' },
    },
  });
});

test('body_file is read into http.body; no_follow_redirects still works, with a warning', () => {
  const m = only(
    `modules:
  post:
    prober: http
    http:
      method: POST
      body_file: body.json
      no_follow_redirects: true
`,
    { 'body.json': '{"a":1}' },
  );
  const http = m.module.http as Record<string, unknown>;
  assert.equal(http.body, '{"a":1}');
  assert.equal(http.followRedirects, false);
  assert.match(m.warnings[0] ?? '', /^blackbox\.yml:7:28: modules\.post\.http\.no_follow_redirects: .*deprecated/);
});

test('a field canary cannot honour is a warning at its place and marks the module', () => {
  const m = only(`modules:
  h3:
    prober: http
    http:
      enable_http3: true
      enable_http2: false
      valid_http_versions: [HTTP/3.0]
`);
  assert.deepEqual(m.warnings, [
    'blackbox.yml:5:21: modules.h3.http.enable_http3: canary cannot honour this: HTTP/3 is not available in canary; /probe answers an error for module h3',
  ]);
  assert.deepEqual(m.unsupported, ['modules.h3.http.enable_http3: HTTP/3 is not available in canary']);
  const h2 = only(`modules:
  h2:
    prober: http
    http: { valid_http_versions: [HTTP/2.0], compression: gzip }
`);
  assert.equal(h2.unsupported.length, 1);
  assert.match(h2.unsupported[0] ?? '', /valid_http_versions: .*HTTP\/1\.1/);
  assert.equal((h2.module.http as { compression?: string }).compression, 'gzip', 'compression is honoured');
});

test('a tcp module: query_response becomes steps, sends end with a newline, starttls is a step', () => {
  const m = only(`modules:
  smtp:
    prober: tcp
    tcp:
      preferred_ip_protocol: ip6
      query_response:
        - expect: "^220 "
        - send: "EHLO prober\\r"
        - expect: "^250-STARTTLS"
          send: "STARTTLS\\r"
          starttls: true
        - expect: 'PING :([^ ]+)'
          send: 'PONG \${1}'
      tls_config: { insecure_skip_verify: true }
`);
  assert.deepEqual(m.module, {
    prober: 'tcp',
    tcp: {
      ipFamily: 'ipv6',
      steps: [
        { expect: '^220 ' },
        { send: 'EHLO prober\r\n' },
        { expect: '^250-STARTTLS', send: 'STARTTLS\r\n' },
        { starttls: true },
        { expect: 'PING :([^ ]+)', send: 'PONG ${1}\n' },
      ],
    },
    tls: { insecure: true },
  });
  const tls = only(`modules:
  pop3s:
    prober: tcp
    tcp: { tls: true, ip_protocol_fallback: false, source_ip_address: 10.0.0.1 }
`);
  assert.deepEqual(tls.module.tcp, { tls: true, ipFallback: false, sourceIp: '10.0.0.1' });
});

test('a dns module: query, rcodes and the four record validators', () => {
  const m = only(`modules:
  soa:
    prober: dns
    dns:
      query_name: example.com
      query_type: SOA
      transport_protocol: tcp
      recursion_desired: false
      valid_rcodes: [NOERROR, NXDOMAIN]
      validate_answer_rrs:
        fail_if_matches_regexp: [bad]
        fail_if_all_match_regexp: [all]
        fail_if_not_matches_regexp: [every]
        fail_if_none_matches_regexp: [some]
      validate_authority_rrs:
        fail_if_matches_regexp: [x]
      validate_additional_rrs:
        fail_if_none_matches_regexp: [y]
`);
  assert.deepEqual(m.module, {
    prober: 'dns',
    dns: { queryName: 'example.com', type: 'SOA', transport: 'tcp', recursion: false },
    expect: {
      rcode: ['NOERROR', 'NXDOMAIN'],
      answers: [
        { notMatches: 'bad' },
        { matches: 'some' },
        { allMatch: 'every' },
        { allMatch: 'all', allowEmpty: true },
      ],
      authority: [{ notMatches: 'x' }],
      additional: [{ matches: 'y' }],
    },
  });
  const any = only(`modules:
  any:
    prober: dns
    dns: { query_name: example.com, query_class: CH }
`);
  assert.equal((any.module.dns as Record<string, unknown>).type, 'ANY', "blackbox's default query type");
  assert.match(any.unsupported[0] ?? '', /query_class: .*class IN, not CH/);
});

test('icmp, grpc, unix and websocket modules map to the agreed names', () => {
  const out = translate(`modules:
  ping:
    prober: icmp
    icmp: { preferred_ip_protocol: ip4, ip_protocol_fallback: false, payload_size: 56, dont_fragment: true, ttl: 8, source_ip_address: 10.0.0.2 }
  health:
    prober: grpc
    grpc: { service: api, tls: true, tls_config: { server_name: grpc.example.com } }
  sock:
    prober: unix
    unix: { query_response: [ { send: PING, expect: PONG } ] }
  ws:
    prober: websocket
    websocket:
      headers: { X-Key: { values: [a] } }
      query_response: [ { expect: hello, send: hi } ]
`);
  assert.deepEqual(out.problems, []);
  const [ping, health, sock, ws] = out.modules.map((m) => m.module);
  assert.deepEqual(ping, {
    prober: 'icmp',
    icmp: { ipFamily: 'ipv4', ipFallback: false, sourceIp: '10.0.0.2', payloadSize: 56, dontFragment: true, ttl: 8 },
  });
  assert.deepEqual(health, {
    prober: 'grpc',
    grpc: { service: 'api', tls: true },
    tls: { serverName: 'grpc.example.com' },
  });
  assert.deepEqual(sock, { prober: 'unix', unix: { steps: [{ expect: 'PONG', send: 'PING\n' }] } });
  assert.deepEqual(ws, {
    prober: 'websocket',
    websocket: { steps: [{ expect: 'hello' }, { send: 'hi' }], headers: { 'X-Key': 'a' } },
  });
});

test('Go regex spellings are rewritten; Go-only ones are warnings, not another pattern', () => {
  const m = only(`modules:
  r:
    prober: http
    http:
      fail_if_body_not_matches_regexp: ['\\Astart', '(?P<v>\\d+)', '[[:alpha:]]']
`);
  assert.deepEqual((m.module.expect as Record<string, unknown>).body, [
    { matches: '^start' },
    { matches: '(?<v>\\d+)' },
  ]);
  assert.match(m.unsupported[0] ?? '', /\[2\]: .*POSIX classes/);
});

test('every refusal of blackbox_exporter is a problem at FILE:LINE:COL', () => {
  assert.deepEqual(
    refused(`modules:
  dns_test:
    prober: dns
    dns:
      query_name: example.com
      invalid_extra_field: value
`),
    ['blackbox.yml:6:7: modules.dns_test.dns.invalid_extra_field: unknown field (blackbox_exporter refuses it too)'],
  );
  assert.deepEqual(
    refused(`modules:
  p:
    prober: http
    http:
      bearer_token: foo
      bearer_token_file: foo
      basic_auth: { username: u, password: p }
`),
    [
      'blackbox.yml:6:26: modules.p.http.bearer_token_file: at most one of bearer_token, bearer_token_file may be set',
      'blackbox.yml:5:21: modules.p.http.bearer_token: at most one of basic_auth, bearer_token may be set',
    ],
  );
  assert.deepEqual(refused(`modules:\n  x:\n    prober: invalid\n`), [
    'blackbox.yml:3:13: modules.x.prober: prober "invalid" is not valid: one of http, tcp, icmp, dns, grpc, unix, websocket',
  ]);
  assert.deepEqual(refused(`modules:\n  d:\n    prober: dns\n    dns: { preferred_ip_protocol: ip6 }\n`), [
    'blackbox.yml:4:10: modules.d.dns: query_name must be set for a dns module',
  ]);
  assert.deepEqual(refused(`modules:\n  d:\n    prober: dns\n    dns: { query_name: a.b, query_class: X }\n`), [
    'blackbox.yml:4:42: modules.d.dns.query_class: query class "X" is not valid',
  ]);
  assert.deepEqual(refused(`modules:\n  d:\n    prober: dns\n    dns: { query_name: a.b, query_type: X }\n`), [
    'blackbox.yml:4:41: modules.d.dns.query_type: query type "X" is not valid',
  ]);
});

test('refusals: regexes, header matchers, body and body_file, compression, HTTP/3, icmp ttl, types', () => {
  const http = (body: string) => refused(`modules:\n  m:\n    prober: http\n    http:\n${body}`);
  assert.deepEqual(http(`      fail_if_body_matches_regexp: [':[']\n`), [
    'blackbox.yml:5:37: modules.m.http.fail_if_body_matches_regexp[0]: ":[" is not a valid regular expression',
  ]);
  assert.deepEqual(http(`      fail_if_header_not_matches: [ { header: X } ]\n`), [
    'blackbox.yml:5:37: modules.m.http.fail_if_header_not_matches[0]: regexp must be set for a header matcher',
  ]);
  assert.deepEqual(http(`      body: a\n      body_file: b\n`), [
    'blackbox.yml:6:18: modules.m.http.body_file: body and body_file may not both be set',
  ]);
  assert.deepEqual(http(`      compression: gzip\n      headers: { accEpt-enCoding: deflate }\n`), [
    'blackbox.yml:6:35: modules.m.http.headers.accEpt-enCoding: "accEpt-enCoding: deflate" does not accept compression: gzip',
  ]);
  assert.deepEqual(http(`      compression: gzip\n      headers: { Accept-Encoding: "*;q=0.0" }\n`).length, 1);
  assert.deepEqual(http(`      enable_http3: true\n`), [
    'blackbox.yml:5:21: modules.m.http.enable_http3: enable_http3 needs enable_http2: false',
  ]);
  assert.deepEqual(
    http(`      enable_http3: true\n      enable_http2: false\n      valid_http_versions: [HTTP/1.1, HTTP/3.0]\n`),
    ['blackbox.yml:7:28: modules.m.http.valid_http_versions: with enable_http3 only HTTP/3.0 may be listed'],
  );
  assert.deepEqual(http(`      fail_if_body_json_matches_cel: 'body.'\n`).length, 1);
  assert.deepEqual(http(`      method: [GET]\n      follow_redirects: "yes"\n`), [
    'blackbox.yml:5:15: modules.m.http.method: must be a string',
    'blackbox.yml:6:25: modules.m.http.follow_redirects: must be true or false',
  ]);
  assert.deepEqual(refused(`modules:\n  i:\n    prober: icmp\n    icmp: { ttl: 256 }\n`), [
    'blackbox.yml:4:18: modules.i.icmp.ttl: ttl cannot exceed 255',
  ]);
  assert.deepEqual(refused(`modules:\n  i:\n    prober: icmp\n    icmp: { ttl: -1 }\n`), [
    'blackbox.yml:4:18: modules.i.icmp.ttl: ttl cannot be negative',
  ]);
  assert.deepEqual(refused(`modules:\n  t:\n    prober: tcp\n    tcp: { query_response: [ { expect: ':[' } ] }\n`), [
    'blackbox.yml:4:40: modules.t.tcp.query_response[0].expect: ":[" is not a valid regular expression',
  ]);
  assert.deepEqual(refused(`modules:\n  t:\n    prober: http\n    timeout: soon\n`), [
    'blackbox.yml:4:14: modules.t.timeout: "soon" is not a duration such as 5s',
  ]);
  assert.deepEqual(refused(`modulez: {}\n`), [
    'blackbox.yml:1:1: modulez: unknown field (blackbox_exporter refuses it too)',
  ]);
});

test('an http module without an http: section still gets blackbox defaults; a dns one without dns: is refused once', () => {
  const http = only(`modules:\n  plain:\n    prober: http\n`);
  assert.deepEqual(http.module, { prober: 'http', http: { maxBodySize: 64 * 1024 * 1024 } });
  assert.deepEqual(refused(`modules:\n  d:\n    prober: dns\n`), [
    'blackbox.yml:3:5: modules.d.dns: query_name must be set for a dns module',
  ]);
});

test("blackbox's newer conversation forms: !!binary send (with its newline), expect_bytes, labels from the match", () => {
  const m = only(`modules:
  pg:
    prober: tcp
    tcp:
      query_response:
        - send: !!binary AAAACATSFi8=
        - expect_bytes: S
        - starttls: true
        - expect: "^SSH-2.0-([^ -]+)"
          labels:
            - { name: ssh_version, value: "\${1}" }
`);
  const expected = Buffer.concat([Buffer.from('AAAACATSFi8=', 'base64'), Buffer.from('\n')]).toString('base64');
  assert.deepEqual(m.module.tcp, {
    steps: [
      { sendBytes: expected },
      { expectBytes: 'S' },
      { starttls: true },
      { expect: '^SSH-2.0-([^ -]+)', labels: [{ name: 'ssh_version', value: '${1}' }] },
    ],
  });
  assert.match(
    refused(
      `modules:\n  l:\n    prober: tcp\n    tcp:\n      query_response:\n        - labels: [{ name: a, value: b }]\n`,
    ).join(),
    /labels: labels need an expect/,
  );
});

test('websocket http_config: inline credentials become the Authorization header; a header may be a plain string', () => {
  const basic = only(`modules:
  ws:
    prober: websocket
    websocket:
      http_config:
        basic_auth: { username: user, password: secret }
        tls_config: { insecure_skip_verify: true }
      headers:
        X-Some-Header: my_header
`);
  assert.deepEqual(basic.module.websocket, {
    headers: { Authorization: `Basic ${Buffer.from('user:secret').toString('base64')}`, 'X-Some-Header': 'my_header' },
  });
  assert.deepEqual(basic.module.tls, { insecure: true });
  const bearer = only(`modules:
  ws:
    prober: websocket
    websocket:
      http_config:
        authorization: { credentials: secret_token }
        oauth2: { client_id: a, client_secret: b, token_url: "http://127.0.0.1/t" }
`);
  assert.deepEqual(bearer.module.websocket, { headers: { Authorization: 'Bearer secret_token' } });
  assert.match(bearer.unsupported.join(), /oauth2 for a websocket module/);
});

test('a body_file that cannot be read is a warning on its module (blackbox opens it when it probes)', () => {
  const out = translate(`modules:\n  m:\n    prober: http\n    http: { body_file: /nope/body.txt }\n`);
  assert.deepEqual(out.problems, []);
  assert.match(
    out.warnings.map(formatProblem).join(),
    /body_file: canary cannot honour this: cannot read \/nope\/body\.txt/,
  );
});

test('http_headers: values, secrets and file contents joined under http.headers; an unreadable file is a warning', () => {
  const m = only(
    `modules:
  api:
    prober: http
    http:
      http_headers:
        X-API-Key:
          files: [/run/key.txt]
        Accept:
          values: [application/json, text/plain]
        X-Token:
          secrets: [s3cret-header-value]
`,
    { '/run/key.txt': 'key-from-file\n' },
  );
  assert.deepEqual((m.module.http as { headers: unknown }).headers, {
    'X-API-Key': 'key-from-file',
    Accept: 'application/json, text/plain',
    'X-Token': 's3cret-header-value',
  });
  assert.equal(redactText('sent s3cret-header-value and key-from-file').includes('s3cret'), false);
  assert.equal(redactText('key-from-file').includes('key-from-file'), false, 'file contents are secrets');
  const out = translate(
    `modules:\n  api:\n    prober: http\n    http:\n      http_headers:\n        K: { files: [/nope] }\n`,
  );
  assert.deepEqual(out.problems, []);
  assert.match(
    out.warnings.map(formatProblem).join(),
    /http_headers\.K\.files\[0\]: canary cannot honour this: cannot read \/nope/,
  );
});
