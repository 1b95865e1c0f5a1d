import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseUrlProblem, overrideChecks, overrideTarget } from '../../src/gate/target-override.js';
import { makeHttpCheck } from '../helpers/checks.js';

const base = (text: string): URL => new URL(text);

test('override: scheme, host and port come from the base; path and query stay', () => {
  assert.equal(
    overrideTarget('https://api.example.com/v1/search?q=canary&n=2', base('http://127.0.0.1:8080')),
    'http://127.0.0.1:8080/v1/search?q=canary&n=2',
  );
  assert.equal(
    overrideTarget('http://api.example.com:8080/health', base('https://green.example.com')),
    'https://green.example.com/health',
  );
  assert.equal(overrideTarget('https://api.example.com/', base('http://[::1]:9000/')), 'http://[::1]:9000/');
});

test('override: a path on the base is a prefix, with or without a trailing slash', () => {
  assert.equal(
    overrideTarget('https://api.example.com/v1/search?q=x', base('http://10.0.0.7:8080/green')),
    'http://10.0.0.7:8080/green/v1/search?q=x',
  );
  assert.equal(
    overrideTarget('https://api.example.com/v1/search', base('http://10.0.0.7:8080/green/')),
    'http://10.0.0.7:8080/green/v1/search',
  );
  assert.equal(overrideTarget('https://api.example.com/', base('http://10.0.0.7/a/b')), 'http://10.0.0.7/a/b/');
});

test('override: the fragment is dropped, credentials of the target win over the base', () => {
  assert.equal(
    overrideTarget('https://api.example.com/page#top', base('http://127.0.0.1:1')),
    'http://127.0.0.1:1/page',
  );
  assert.equal(
    overrideTarget('https://user:pw@api.example.com/x', base('http://127.0.0.1:1')),
    'http://user:pw@127.0.0.1:1/x',
  );
  assert.equal(
    overrideTarget('https://api.example.com/x', base('http://ops:s3@127.0.0.1:1')),
    'http://ops:s3@127.0.0.1:1/x',
  );
});

test('override: encoded paths and queries survive unchanged', () => {
  assert.equal(
    overrideTarget('https://api.example.com/a%20b/%E2%9C%93?q=a%26b', base('http://127.0.0.1:2')),
    'http://127.0.0.1:2/a%20b/%E2%9C%93?q=a%26b',
  );
});

test('override: base URL problems are named', () => {
  assert.equal(baseUrlProblem('http://127.0.0.1:8080'), undefined);
  assert.equal(baseUrlProblem('https://green.example.com/prefix/'), undefined);
  assert.equal(baseUrlProblem('not-a-url'), 'must be an absolute http:// or https:// URL');
  assert.equal(baseUrlProblem('ftp://example.com/'), 'must be an absolute http:// or https:// URL');
  assert.equal(baseUrlProblem('127.0.0.1:8080'), 'must be an absolute http:// or https:// URL');
  assert.match(baseUrlProblem('http://h/?x=1') ?? '', /must not have a query or fragment/);
  assert.match(baseUrlProblem('http://h/#frag') ?? '', /must not have a query or fragment/);
});

test('override: checks are copied, the loaded ones stay as they were', () => {
  const check = Object.freeze(makeHttpCheck({ name: 'api', target: 'https://api.example.com/v1?x=1' }));
  const [moved] = overrideChecks([check], base('http://127.0.0.1:9'));
  assert.equal(moved?.target, 'http://127.0.0.1:9/v1?x=1');
  assert.equal(moved?.name, 'api');
  assert.equal(check.target, 'https://api.example.com/v1?x=1');
});
