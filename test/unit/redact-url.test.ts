import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSecretQueryParam, redactUrl } from '../../src/net/redact-url.js';

test('credentials and secret query values become REDACTED, the rest of the URL stays', () => {
  assert.equal(
    redactUrl('https://bob:hunter2@api.example.com:8443/v1/x?access_token=abc&q=canary&API_KEY=k1#frag'),
    'https://REDACTED:REDACTED@api.example.com:8443/v1/x?access_token=REDACTED&q=canary&API_KEY=REDACTED#frag',
  );
  assert.equal(redactUrl('http://user@h/'), 'http://REDACTED@h/');
  assert.equal(
    redactUrl('https://bucket.s3.example.com/o?X-Amz-Signature=s&X-Amz-Credential=c&sig=1'),
    'https://bucket.s3.example.com/o?X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED&sig=REDACTED',
  );
});

test('a URL with nothing secret, and targets that are not URLs, come back as written', () => {
  for (const target of ['https://api.example.com/v1/search?q=a%20b', '127.0.0.1:5432', 'example.com', 'not a url://']) {
    assert.equal(redactUrl(target), target);
  }
});

test('the secret parameter names are compared without case', () => {
  assert.ok(isSecretQueryParam('Token'));
  assert.ok(isSecretQueryParam('x-goog-signature'));
  assert.ok(!isSecretQueryParam('page'));
});
