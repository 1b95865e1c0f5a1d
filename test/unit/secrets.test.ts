/**
 * The secret values registry and its redaction: text shown to people gets `<redacted>`,
 * records kept on disk get a hash marker that recovery can turn back into the value.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { redactUrl } from '../../src/net/redact-url.js';
import { isSecretPosition } from '../../src/secrets/positions.js';
import { setExtraSecretQueryParams } from '../../src/secrets/query-params.js';
import { hashSecretsDeep, redactDeep, redactText, redactValuesDeep, secretHash } from '../../src/secrets/redact.js';
import { forgetSecrets, registerSecret } from '../../src/secrets/registry.js';
import { revealSecrets } from '../../src/secrets/reveal.js';

afterEach(() => {
  forgetSecrets();
  setExtraSecretQueryParams([]);
});

test('a registered value is redacted raw and inside JSON strings; short values are not registered', () => {
  registerSecret('s3cr"et\\x');
  registerSecret('abc');
  const line = JSON.stringify({ msg: 'got s3cr"et\\x', other: 'abc' });
  assert.equal(redactText(line), '{"msg":"got <redacted>","other":"abc"}');
  assert.equal(redactText('plain s3cr"et\\x.'), 'plain <redacted>.');
});

test('a value cut short inside a secret loses that part of the secret too', () => {
  registerSecret('Sup3rS3cretToken');
  // assertions/format.ts cuts quoted values at 80 characters and marks the cut with an ellipsis.
  assert.equal(redactText('got "Bearer Sup3rS3c…"'), 'got "Bearer <redacted>…"');
  assert.equal(redactText('{"m":"got \\"Sup3rS…"}'), '{"m":"got \\"<redacted>…"}');
  // A head shorter than the shortest secret could be any text, and an uncut one is not a secret.
  assert.equal(redactText('got "Sup…"'), 'got "Sup…"');
  assert.equal(redactText('Sup3rS3c ok'), 'Sup3rS3c ok');
  // chaos/actions/tail.ts keeps the end of a program's output: the kept part may start inside a secret.
  assert.equal(redactText('[9 bytes dropped]…cretToken done'), '[9 bytes dropped]…<redacted> done');
});

test('values known to one piece of work are redacted from its output without joining the registry', () => {
  const observation = { message: 'got "Bearer flow-tok-1"', steps: [{ message: 'flow-tok-…' }], n: 1, short: 'abc' };
  const redacted = redactValuesDeep(observation, ['flow-tok-1', 'abc']);
  assert.deepEqual(redacted, {
    message: 'got "Bearer <redacted>"',
    steps: [{ message: '<redacted>…' }],
    n: 1,
    short: 'abc',
  });
  assert.equal(redactText('flow-tok-1'), 'flow-tok-1', 'not registered for the process');
  assert.equal(redactValuesDeep(observation, []), observation);
});

test('the longest secret is replaced first, so no part of it is left', () => {
  registerSecret('token');
  registerSecret('token-and-more');
  assert.equal(redactText('x token-and-more y token'), 'x <redacted> y <redacted>');
});

test('records keep a hash marker that reveals back to the value, keys included', () => {
  registerSecret('Bearer-abcdef');
  const call = { kind: 'http', headers: { authorization: 'Bearer-abcdef' }, env: { 'Bearer-abcdef': '1' }, n: 3 };
  const stored = hashSecretsDeep(call);
  assert.equal(JSON.stringify(stored).includes('Bearer-abcdef'), false);
  assert.equal(stored.headers.authorization, `<secret ${secretHash('Bearer-abcdef')}>`);
  assert.equal(stored.n, 3);
  assert.deepEqual(revealSecrets(stored), { value: call, unknown: [] });
  assert.deepEqual(redactDeep(call).headers, { authorization: '<redacted>' });
});

test('a marker of a secret this process does not know is kept and reported', () => {
  registerSecret('known-value');
  const stored = hashSecretsDeep({ a: 'known-value' });
  forgetSecrets();
  const { value, unknown } = revealSecrets(stored);
  assert.deepEqual(value, stored);
  assert.deepEqual(unknown, [secretHash('known-value')]);
});

test('positions that hold credentials: headers, env, argv, token, password, body', () => {
  assert.ok(isSecretPosition(['server', 'token']));
  assert.ok(isSecretPosition(['checks', 0, 'http', 'headers', 'authorization']));
  assert.ok(isSecretPosition(['method', 1, 'env', 'API_KEY']));
  assert.ok(isSecretPosition(['exporters', 'otlp', 'headers', 'x-key']));
  assert.ok(isSecretPosition(['method', 0, 'body']));
  // A program's arguments: exec actions, their reverts, a target's start and its exec driver.
  assert.ok(isSecretPosition(['method', 0, 'argv', 3]));
  assert.ok(isSecretPosition(['rollback', 0, 'revert', 'argv', 1]));
  assert.ok(isSecretPosition(['targets', 'db', 'start', 'argv', 2]));
  assert.ok(isSecretPosition(['targets', 'db', 'exec', 'kill', 1]));
  assert.ok(isSecretPosition(['targets', 'db', 'exec', 'restore', 0]));
  assert.ok(!isSecretPosition(['targets', 'db', 'http', 'kill', 'url']));
  assert.ok(!isSecretPosition(['method', 0, 'target']));
  assert.ok(!isSecretPosition(['agent', 'region']));
  assert.ok(!isSecretPosition(['checks', 0, 'target']));
});

test('redact.queryParams adds names to the default list', () => {
  const url = 'https://h.example/p?x-sas=abc&token=t&q=1';
  assert.equal(redactUrl(url), 'https://h.example/p?x-sas=abc&token=REDACTED&q=1');
  setExtraSecretQueryParams(['X-SAS']);
  assert.equal(redactUrl(url), 'https://h.example/p?x-sas=REDACTED&token=REDACTED&q=1');
});
