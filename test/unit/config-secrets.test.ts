/**
 * Secrets in config files: `${VAR}` keeps a string a string where the schema wants one,
 * `${file:PATH}` and `*File` keys read secret files, and none of their values is quoted
 * back in an error.
 */
import { after, afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { isCanaryError } from '../../src/errors.js';
import { redactUrl } from '../../src/net/redact-url.js';
import { setExtraSecretQueryParams } from '../../src/secrets/query-params.js';
import { redactText } from '../../src/secrets/redact.js';
import { forgetSecrets } from '../../src/secrets/registry.js';

const scratch = mkdtempSync(join(tmpdir(), 'canary-config-secrets-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
afterEach(() => {
  forgetSecrets();
  setExtraSecretQueryParams([]);
});

function agentFile(name: string, lines: string[]): string {
  const file = join(scratch, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

async function problemsOf(file: string, env: Record<string, string>): Promise<string> {
  try {
    await loadConfig(file, { env });
  } catch (err) {
    if (isCanaryError(err)) return err.message;
    throw err;
  }
  assert.fail('the config loaded');
}

test('a whole ${VAR} stays the exact string where the schema wants a string', async () => {
  const file = agentFile('typed.yaml', [
    'server:',
    '  token: ${TOKEN}',
    'probes:',
    '  concurrency: ${CONC}',
    'exporters:',
    '  otlp:',
    '    endpoint: http://127.0.0.1:4318',
    '    headers:',
    '      x-key: ${KEY}',
  ]);
  const config = await loadConfig(file, { env: { TOKEN: '31337000', CONC: '8', KEY: '0x1F' } });
  assert.equal(config.server.token, '31337000');
  assert.equal(config.exporters.otlp?.headers?.['x-key'], '0x1F');
  assert.equal(config.probes.concurrency, 8);
  const hex = await loadConfig(file, { env: { TOKEN: '0x1F', CONC: '8', KEY: 'true' } });
  assert.equal(hex.server.token, '0x1F');
  assert.equal(hex.exporters.otlp?.headers?.['x-key'], 'true');
});

test('${file:PATH} reads a file relative to the config, without its trailing newline, as a secret', async () => {
  writeFileSync(join(scratch, 'token.txt'), 'file-token-value\n');
  const file = agentFile('file-ref.yaml', ['server: { token: "${file:token.txt}" }']);
  const config = await loadConfig(file, { env: {} });
  assert.equal(config.server.token, 'file-token-value');
  assert.equal(redactText('x file-token-value'), 'x <redacted>');
});

test('tokenFile stands for token with the file content', async () => {
  writeFileSync(join(scratch, 'credential'), '12345678\n');
  const file = agentFile('token-file.yaml', ['server:', '  tokenFile: credential']);
  const config = await loadConfig(file, { env: {} });
  assert.equal(config.server.token, '12345678');
});

test('a missing secret file is a positioned problem naming the path, not a crash', async () => {
  const ref = agentFile('missing-ref.yaml', ['server:', '  token: "${file:nope.txt}"']);
  assert.match(
    await problemsOf(ref, {}),
    /missing-ref\.yaml:2:10: server\.token: cannot read \$\{file:nope\.txt\}: ENOENT/,
  );
  const key = agentFile('missing-key.yaml', ['server:', '  tokenFile: nope.txt']);
  assert.match(await problemsOf(key, {}), /missing-key\.yaml:2:3: server\.tokenFile: cannot read nope\.txt: ENOENT/);
  const both = agentFile('both.yaml', ['server:', '  token: x', '  tokenFile: nope.txt']);
  assert.match(await problemsOf(both, {}), /server\.tokenFile: set token or its file, not both/);
});

test('an error about a secret value never quotes it', async () => {
  const file = agentFile('bad.yaml', ['server:', '  token: ${TOKEN}', 'probes:', '  concurrency: ${TOKEN}']);
  const message = await problemsOf(file, { TOKEN: 'Sentinel-Token-9' });
  // The same value, refused where it is not a secret, is still never quoted back.
  assert.match(message, /probes\.concurrency: must be a number, got string "<redacted>"/);
  assert.ok(!message.includes('Sentinel-Token-9'), message);
});

test('redact.queryParams of a loaded config adds to the secret query parameters', async () => {
  const url = 'https://h.example/p?x-sas=abc&q=1';
  const file = agentFile('redact.yaml', ['redact:', '  queryParams: [X-Sas]']);
  assert.equal(redactUrl(url), url);
  await loadConfig(file, { env: {} });
  assert.equal(redactUrl(url), 'https://h.example/p?x-sas=REDACTED&q=1');
});
