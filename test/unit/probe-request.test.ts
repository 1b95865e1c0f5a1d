import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResolvedModule } from '../../src/config/types.js';
import { findModule, oneOffCheck, probeTimeoutSeconds } from '../../src/server/probe/request.js';
import { makeHttpCheck } from '../helpers/checks.js';

test('probe timeout: the scrape timeout less 0.5s, or the module timeout when shorter (blackbox getTimeout)', () => {
  assert.equal(probeTimeoutSeconds(undefined, undefined), 119.5, 'no header: 120s less the offset');
  assert.equal(probeTimeoutSeconds(undefined, 5_000), 5);
  assert.equal(probeTimeoutSeconds('10', 5_000), 5, 'module shorter');
  assert.equal(probeTimeoutSeconds('2', 5_000), 1.5, 'header shorter');
  assert.equal(probeTimeoutSeconds('1e9', undefined), 119.5, 'a header above 120s counts as 120s');
  assert.equal(probeTimeoutSeconds('1e9', 5_000), 5, 'and the module timeout still wins');
  assert.equal(probeTimeoutSeconds('2.5', undefined), 2);
  assert.equal(probeTimeoutSeconds('0', undefined), 119.5, 'a zero header counts as absent, as in blackbox');
  assert.equal(probeTimeoutSeconds('0.4', 5_000), 5, 'nothing left after the offset: the module timeout');
  assert.equal(
    probeTimeoutSeconds('0.4', undefined),
    0.4,
    'nothing left and no module timeout: the whole scrape timeout',
  );
  assert.throws(() => probeTimeoutSeconds('soon', undefined), /invalid syntax/);
  assert.throws(() => probeTimeoutSeconds('-1', undefined), /invalid syntax/);
});

test('one-off check: the module with the target (http:// added when missing) and the timeout', () => {
  const module: ResolvedModule = {
    name: 'http_2xx',
    prober: 'http',
    check: makeHttpCheck({ target: 'http://placeholder/' }),
  };
  const bare = oneOffCheck(module, 'example.test:8080/health', 1.5);
  assert.equal(bare.target, 'http://example.test:8080/health');
  assert.equal(bare.timeoutMs, 1500);
  assert.equal(oneOffCheck(module, 'https://example.test/', 2).target, 'https://example.test/');
  assert.equal(module.check.target, 'http://placeholder/', 'the module is not changed');
});

test('modules are found by own name only', () => {
  const modules = {
    http_2xx: { name: 'http_2xx', prober: 'http', check: makeHttpCheck({ target: 'http://placeholder/' }) },
  } satisfies Record<string, ResolvedModule>;
  assert.equal(findModule(modules, 'http_2xx')?.name, 'http_2xx');
  assert.equal(findModule(modules, 'constructor'), undefined);
  assert.equal(findModule(modules, '__proto__'), undefined);
});
