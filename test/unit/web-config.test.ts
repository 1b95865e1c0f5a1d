/**
 * The web config file (the format Prometheus exporters share): what it parses to, every
 * problem at its FILE:LINE:COL, and basic auth against bcrypt hashes with its cache.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import bcrypt from 'bcryptjs';
import { formatProblem } from '../../src/errors.js';
import { BasicAuth, basicCredentials } from '../../src/server/web/basic-auth.js';
import { parseWebConfig } from '../../src/server/web/parse.js';

const FILE = '/etc/canary/web.yml';
// Cost 4, the lowest bcrypt allows: the test checks the logic, not the cost.
const HASH = bcrypt.hashSync('s3cret', 4);

function problems(text: string): string[] {
  const parsed = parseWebConfig(FILE, text);
  assert.equal(parsed.settings, undefined, 'expected problems, got settings');
  return parsed.problems.map(formatProblem);
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

test('a full web config parses to TLS settings with paths beside the file, headers and users', () => {
  const { settings, problems: found } = parseWebConfig(
    FILE,
    [
      'tls_server_config:',
      '  cert_file: tls/server.crt',
      '  key_file: /abs/server.key',
      '  client_ca_file: ca.pem',
      '  client_auth_type: RequireAndVerifyClientCert',
      '  min_version: TLS13',
      '  curve_preferences: [X25519, CurveP256]',
      '  prefer_server_cipher_suites: false',
      'http_server_config:',
      '  http2: false',
      '  headers:',
      '    X-Frame-Options: deny',
      '    Content-Security-Policy: ""',
      'basic_auth_users:',
      `  alice: ${HASH}`,
      '  bob: $2y$10$mDwo.lAisC94iLAyP81MCesa29IzH37oigHC/42V2pdJlUprsJPze',
    ].join('\n'),
  );
  assert.deepEqual(found, []);
  const tls = settings?.tls;
  assert.deepEqual(tls?.cert, {
    file: '/etc/canary/tls/server.crt',
    at: { line: 2, col: 14, path: 'tls_server_config.cert_file' },
  });
  assert.deepEqual(tls?.key, { file: '/abs/server.key', at: { line: 3, col: 13, path: 'tls_server_config.key_file' } });
  assert.deepEqual('file' in (tls?.clientCa ?? {}) && tls?.clientCa, {
    file: '/etc/canary/ca.pem',
    at: { line: 4, col: 19, path: 'tls_server_config.client_ca_file' },
  });
  assert.equal(tls?.clientAuth, 'RequireAndVerifyClientCert');
  assert.equal(tls?.minVersion, 'TLSv1.3');
  assert.equal(tls?.maxVersion, 'TLSv1.3');
  assert.equal(tls?.honorCipherOrder, false);
  assert.equal(tls?.ecdhCurve, 'X25519:P-256');
  // A blank header is left out, as the format says.
  assert.deepEqual(settings?.headers, { 'X-Frame-Options': 'deny' });
  assert.deepEqual([...(settings?.users.keys() ?? [])], ['alice', 'bob']);
});

test('an empty file or empty sections mean plain HTTP without auth', () => {
  for (const text of ['', '{}', 'tls_server_config:\nbasic_auth_users:\nhttp_server_config:\n']) {
    const { settings, problems: found } = parseWebConfig(FILE, text);
    assert.deepEqual(found, [], text);
    assert.equal(settings?.tls, undefined);
    assert.equal(settings?.users.size, 0);
    assert.deepEqual(settings?.headers, {});
  }
});

test('inline PEMs are taken as written', () => {
  const { settings } = parseWebConfig(FILE, 'tls_server_config:\n  cert: CERT\n  key: KEY\n');
  assert.equal(settings?.tls?.cert && 'inline' in settings.tls.cert && settings.tls.cert.inline, 'CERT');
  assert.equal(settings?.tls?.clientAuth, 'NoClientCert');
  assert.equal(settings?.tls?.minVersion, 'TLSv1.2');
});

test('unknown and unsupported keys are problems at their place', () => {
  assert.deepEqual(problems('tls_config:\n  cert_file: a\n'), [`${FILE}:1:1: tls_config: unknown key "tls_config"`]);
  assert.deepEqual(
    problems('tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [TLS_AES_128_GCM_SHA256]\n'),
    [
      `${FILE}:4:18: tls_server_config.cipher_suites: not supported by canary: the agent uses the TLS library defaults for cipher suites`,
    ],
  );
  assert.match(
    problems('rate_limit: { interval: 1s, burst: 2 }\n')[0] ?? '',
    /^[^:]+:1:13: rate_limit: not supported by canary/,
  );
  assert.deepEqual(problems('http_server_config:\n  headers:\n    Server: canary\n'), [
    `${FILE}:3:5: http_server_config.headers.Server: unknown key "Server"`,
  ]);
  // A near miss names the key meant, as in the agent config.
  assert.deepEqual(problems('tls_server_config:\n  cert_fle: a\n  key_file: b\n'), [
    `${FILE}:2:3: tls_server_config.cert_fle: unknown key "cert_fle" (did you mean "cert_file"?)`,
  ]);
});

test('values are checked against the format', () => {
  assert.deepEqual(problems(`basic_auth_users:\n  john: doe\n`), [
    `${FILE}:2:9: basic_auth_users.john: must be a bcrypt hash, such as htpasswd -nBC 10 "" | tr -d ':\\n' prints`,
  ]);
  assert.match(
    problems('tls_server_config:\n  cert: a\n  key: b\n  min_version: TLS111\n')[0] ?? '',
    /:4:16: tls_server_config\.min_version: must be one of "TLS10", "TLS11", "TLS12", "TLS13"/,
  );
  assert.match(
    problems('http_server_config:\n  headers:\n    X-Frame-Options: allow\n')[0] ?? '',
    /:3:22: .*X-Frame-Options: must be one of "deny", "sameorigin"/,
  );
  assert.match(
    problems('tls_server_config:\n  cert: a\n  key: b\n  client_auth_type: Sometimes\n')[0] ?? '',
    /client_auth_type: must be one of "NoClientCert"/,
  );
});

test('rules across the TLS keys are problems at the key they concern', () => {
  assert.deepEqual(problems('tls_server_config:\n  cert_file: a.crt\n'), [
    `${FILE}:2:3: tls_server_config: missing one of key or key_file`,
  ]);
  assert.deepEqual(problems('tls_server_config:\n  client_auth_type: RequestClientCert\n'), [
    `${FILE}:2:3: tls_server_config: missing one of cert or cert_file`,
    `${FILE}:2:3: tls_server_config: missing one of key or key_file`,
  ]);
  assert.deepEqual(problems('tls_server_config:\n  cert: A\n  cert_file: a\n  key: K\n'), [
    `${FILE}:2:3: tls_server_config.cert: set cert or cert_file, not both`,
  ]);
  assert.deepEqual(problems('tls_server_config:\n  cert: A\n  key: K\n  client_ca_file: ca.pem\n'), [
    `${FILE}:4:3: tls_server_config.client_ca_file: a client CA needs a client_auth_type other than NoClientCert`,
  ]);
  assert.deepEqual(
    problems('tls_server_config:\n  cert: A\n  key: K\n  client_auth_type: RequireAndVerifyClientCert\n'),
    [
      `${FILE}:4:3: tls_server_config.client_auth_type: RequireAndVerifyClientCert needs client_ca_file or client_ca to verify client certificates with`,
    ],
  );
  assert.deepEqual(problems('tls_server_config:\n  cert: A\n  key: K\n  min_version: TLS13\n  max_version: TLS12\n'), [
    `${FILE}:4:3: tls_server_config.min_version: min_version TLS13 is above max_version TLS12`,
  ]);
});

test('a YAML syntax error is one problem at its place', () => {
  assert.match(problems('basic_auth_users:\n  alice: [\n')[0] ?? '', /^\/etc\/canary\/web\.yml:\d+:\d+: /);
});

test('basic credentials are read from the header, the password may hold colons', () => {
  assert.deepEqual(basicCredentials(basic('alice', 'a:b')), { user: 'alice', password: 'a:b' });
  assert.deepEqual(basicCredentials(`basic ${Buffer.from('u:').toString('base64')}`), { user: 'u', password: '' });
  for (const header of [
    undefined,
    '',
    'Bearer abc',
    'Basic',
    'Basic !!!',
    `Basic ${Buffer.from('nocolon').toString('base64')}`,
  ])
    assert.equal(basicCredentials(header), undefined, String(header));
});

test('basic auth passes the right password only, for a known user only', async () => {
  const auth = new BasicAuth();
  const users = new Map([['alice', HASH]]);
  assert.equal(await auth.verify(users, basic('alice', 's3cret')), true);
  assert.equal(await auth.verify(users, basic('alice', 'wrong')), false);
  assert.equal(await auth.verify(users, basic('mallory', 's3cret')), false);
  assert.equal(await auth.verify(users, undefined), false);
  assert.equal(await auth.verify(users, 'Bearer s3cret'), false);
});

test('an outcome is cached per user, hash and password: one bcrypt per set of credentials', async () => {
  const calls: string[] = [];
  const auth = new BasicAuth(async (password, hash) => {
    calls.push(password);
    return bcrypt.compare(password, hash);
  });
  const users = new Map([['alice', HASH]]);
  for (let i = 0; i < 3; i++) assert.equal(await auth.verify(users, basic('alice', 's3cret')), true);
  for (let i = 0; i < 2; i++) assert.equal(await auth.verify(users, basic('alice', 'wrong')), false);
  assert.deepEqual(calls, ['s3cret', 'wrong']);
  // A new hash for the user is a new key: the old password is checked again, and fails.
  const rotated = new Map([['alice', bcrypt.hashSync('n3w', 4)]]);
  assert.equal(await auth.verify(rotated, basic('alice', 's3cret')), false);
  assert.equal(await auth.verify(rotated, basic('alice', 'n3w')), true);
  assert.deepEqual(calls, ['s3cret', 'wrong', 's3cret', 'n3w']);
});

test('a flood of wrong passwords does not push good credentials out of the cache', async () => {
  const calls: string[] = [];
  const auth = new BasicAuth((password) => {
    calls.push(password);
    return Promise.resolve(password === 'good');
  });
  const users = new Map([['alice', HASH]]);
  assert.equal(await auth.verify(users, basic('alice', 'good')), true);
  for (let i = 0; i < 300; i++) assert.equal(await auth.verify(users, basic('alice', `bad-${i}`)), false);
  assert.equal(await auth.verify(users, basic('alice', 'good')), true);
  assert.equal(calls.filter((p) => p === 'good').length, 1);
});

test('a compare that fails to run is a refusal, not an error', async () => {
  const auth = new BasicAuth(() => Promise.reject(new Error('broken')));
  assert.equal(await auth.verify(new Map([['alice', HASH]]), basic('alice', 'x')), false);
});
