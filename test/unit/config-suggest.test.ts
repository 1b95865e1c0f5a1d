import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closest, didYouMean, editDistance } from '../../src/config/suggest.js';

test('edit distance counts a swap of two neighbours as one edit', () => {
  assert.equal(editDistance('interval', 'interval'), 0);
  assert.equal(editDistance('intreval', 'interval'), 1);
  assert.equal(editDistance('htp', 'http'), 1);
  assert.equal(editDistance('timeout', 'tiemout'), 1);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
});

test('the nearest key is suggested only when it is a plausible typo', () => {
  const check = ['name', 'target', 'interval', 'schedule', 'timeout', 'retries', 'labels', 'enabled', 'kind'];
  assert.equal(closest('intreval', check), 'interval');
  assert.equal(closest('Interval', check), 'interval');
  assert.equal(closest('tiemout', check), 'timeout');
  assert.equal(closest('lables', check), 'labels');
  // Nothing near: no guess is better than a wrong one.
  assert.equal(closest('colour', ['region', 'datacenter', 'labels']), undefined);
  assert.equal(closest('gopher', ['http', 'tcp', 'tls', 'dns', 'grpc']), undefined);
  assert.equal(closest('x', ['y']), undefined);
  assert.equal(didYouMean('htp', ['http', 'tcp']), ' (did you mean "http"?)');
  assert.equal(didYouMean('zzz', ['http', 'tcp']), '');
});
