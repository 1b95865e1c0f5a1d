/**
 * `http.auth` and `http.proxy` in config files: the credentials they hold are secrets
 * however they are written (literally, `${VAR}`, or a `*File` key), files are read at
 * each load, and a wrong shape is a positioned problem.
 */
import { after, afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import type { ResolvedHttpCheck } from '../../src/config/types.js';
import { isCanaryError } from '../../src/errors.js';
import { redactText } from '../../src/secrets/redact.js';
import { forgetSecrets } from '../../src/secrets/registry.js';

const scratch = mkdtempSync(join(tmpdir(), 'canary-http-auth-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
afterEach(() => forgetSecrets());

function agentFile(name: string, lines: string[]): string {
  const file = join(scratch, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function check(name: string, http: string[]): string[] {
  return [`  - name: ${name}`, '    kind: http', '    target: http://127.0.0.1:9/', '    http:', ...http];
}

async function problemsOf(file: string): Promise<string> {
  try {
    await loadConfig(file, { env: {} });
  } catch (err) {
    if (isCanaryError(err)) return err.message;
    throw err;
  }
  assert.fail('the config loaded');
}

test('auth credentials and proxy credentials are secrets, written literally, from ${VAR} or from files', async () => {
  writeFileSync(join(scratch, 'password'), 'Basic-From-File-1\n');
  writeFileSync(join(scratch, 'client-secret'), 'Client-From-File-2');
  const file = agentFile('auth.yaml', [
    'checks:',
    ...check('basic', ['      auth: { basic: { username: alice, passwordFile: password } }']),
    ...check('bearer', ['      auth: { bearer: { token: Literal-Token-3 } }']),
    ...check('oauth', [
      '      auth:',
      '        oauth2: { tokenUrl: "http://127.0.0.1:9/t", clientId: c, clientSecretFile: client-secret }',
      '      proxy:',
      '        url: http://user:Proxy-Literal-4@127.0.0.1:3128',
      '        connectHeaders: { x-proxy-key: "${PROXY_KEY}" }',
    ]),
    ...check('literal', [
      '      auth: { oauth2: { tokenUrl: "http://127.0.0.1:9/t", clientId: c, clientSecret: Lit-Secret-6 } }',
    ]),
  ]);
  const config = await loadConfig(file, { env: { PROXY_KEY: 'Proxy-Env-5' } });
  const [basic, bearer, oauth] = config.checks as ResolvedHttpCheck[];
  assert.equal(basic?.http.auth?.basic?.password, 'Basic-From-File-1');
  assert.equal(bearer?.http.auth?.bearer?.token, 'Literal-Token-3');
  assert.equal(oauth?.http.auth?.oauth2?.clientSecret, 'Client-From-File-2');
  assert.deepEqual(oauth?.http.auth?.oauth2?.scopes, []);
  for (const secret of [
    'Basic-From-File-1',
    'Literal-Token-3',
    'Client-From-File-2',
    'Proxy-Literal-4',
    'Proxy-Env-5',
    'Lit-Secret-6',
  ])
    assert.equal(redactText(`[${secret}]`), '[<redacted>]', secret);
  // What is not a credential stays readable.
  assert.equal(redactText('alice user'), 'alice user');

  // A reload reads the files again.
  writeFileSync(join(scratch, 'password'), 'Basic-Rotated-7\n');
  const reloaded = await loadConfig(file, { env: { PROXY_KEY: 'Proxy-Env-5' } });
  assert.equal((reloaded.checks[0] as ResolvedHttpCheck).http.auth?.basic?.password, 'Basic-Rotated-7');
  assert.equal(redactText('Basic-Rotated-7'), '<redacted>');
});

test('a wrong auth or proxy shape is a positioned problem', async () => {
  const file = agentFile('bad-auth.yaml', [
    'checks:',
    ...check('two', ['      auth: { basic: { username: a, password: b }, bearer: { token: t } }']),
    ...check('proxy', ['      proxy: { url: "https://127.0.0.1:3128" }']),
    ...check('both', ['      auth: { bearer: { token: t, tokenFile: x } }']),
    ...check('nourl', ['      auth: { oauth2: { tokenUrl: "/token", clientId: c } }']),
    ...check('crlf', [
      '      proxy: { url: "http://127.0.0.1:3128", connectHeaders: { x-a: "one\\r\\nX-Injected: two" } }',
    ]),
  ]);
  const message = await problemsOf(file);
  assert.match(message, /checks\[0\]\.http\.auth: needs exactly one of basic, bearer or oauth2/);
  assert.match(message, /checks\[1\]\.http\.proxy\.url: must be an absolute http:\/\/ URL/);
  assert.match(message, /checks\[2\]\.http\.auth\.bearer\.tokenFile: set token or its file, not both/);
  assert.match(message, /checks\[3\]\.http\.auth\.oauth2\.tokenUrl: must be an absolute http:\/\/ or https:\/\/ URL/);
  assert.match(message, /checks\[4\]\.http\.proxy\.connectHeaders\.x-a: must be one line/);
});
