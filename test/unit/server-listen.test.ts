import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCanaryError } from '../../src/errors.js';
import { formatHostPort, parseListen } from '../../src/server/index.js';
import { listenError } from '../../src/net/listen.js';

test('listen addresses parse, IPv6 in brackets included', () => {
  assert.deepEqual(parseListen('127.0.0.1:9464'), { host: '127.0.0.1', port: 9464 });
  assert.deepEqual(parseListen('[::1]:9464'), { host: '::1', port: 9464 });
  assert.deepEqual(parseListen('[::]:0'), { host: '::', port: 0 });
  assert.deepEqual(parseListen('localhost:80'), { host: 'localhost', port: 80 });
  assert.deepEqual(parseListen(':9464'), { host: undefined, port: 9464 });
});

test('bad listen addresses are CANARY_ERR_LISTEN', () => {
  for (const bad of ['9464', 'localhost', '::1:9464', '[::1]', '127.0.0.1:65536', '127.0.0.1:x', 'a b:1']) {
    assert.throws(
      () => parseListen(bad),
      (err) => isCanaryError(err, 'CANARY_ERR_LISTEN') && err.message.includes(bad),
      bad,
    );
  }
});

test('host:port formats IPv6 in brackets', () => {
  assert.equal(formatHostPort('::1', 9464), '[::1]:9464');
  assert.equal(formatHostPort('127.0.0.1', 9464), '127.0.0.1:9464');
});

test('listen failures name the cause', () => {
  const inUse = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
  const err = listenError('127.0.0.1:9464', inUse);
  assert.equal(err.code, 'CANARY_ERR_LISTEN');
  assert.equal(
    err.message,
    'cannot listen on 127.0.0.1:9464: the address is already in use (is another agent or exporter running on this port?)',
  );
  assert.equal(err.cause, inUse);
  assert.match(listenError('x:1', new Error('odd failure')).message, /cannot listen on x:1: odd failure/);
});
