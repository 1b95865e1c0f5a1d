import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkName, dedupeNames } from '../../src/discovery/openapi/names.js';
import { checkSchema } from '../../src/config/schema/check.js';

test('operationId when present, made valid; else a method-path slug', () => {
  assert.equal(checkName({ method: 'GET', path: '/pets', operationId: 'listPets' }), 'listPets');
  assert.equal(checkName({ method: 'GET', path: '/pets', operationId: 'list pets (all)' }), 'list-pets-all');
  assert.equal(checkName({ method: 'GET', path: '/pets', operationId: '_private' }), 'private');
  assert.equal(checkName({ method: 'GET', path: '/pets', operationId: '***' }), 'get-pets');
  assert.equal(checkName({ method: 'GET', path: '/pets/{petId}/photos' }), 'get-pets-petid-photos');
  assert.equal(checkName({ method: 'HEAD', path: '/' }), 'head');
  assert.equal(checkName({ method: 'GET', path: '/v1/users.json' }), 'get-v1-users.json');
  assert.equal(checkName({ method: 'GET', path: '/pets', operationId: 'listPets' }, 'petstore'), 'petstore-listPets');
});

test('every name is accepted by the check schema, even from long or odd input', () => {
  const names = [
    checkName({ method: 'GET', path: `/${'segment/'.repeat(40)}` }),
    checkName({ method: 'GET', path: '/é/ü', operationId: 'ünïcode' }),
    checkName({ method: 'GET', path: '/' }, 'x'),
    ...dedupeNames(
      Array.from({ length: 12 }, () => checkName({ method: 'GET', path: '/', operationId: 'z'.repeat(300) })),
    ),
  ];
  for (const name of names) {
    const parsed = checkSchema.safeParse({ name, kind: 'http', target: 'http://127.0.0.1/' });
    assert.ok(parsed.success, `${name}: ${parsed.error?.message ?? ''}`);
  }
});

test('duplicates get -2, -3 in order, without clashing with a name already taken', () => {
  assert.deepEqual(dedupeNames(['a', 'b', 'a', 'a', 'a-2']), ['a', 'b', 'a-2', 'a-3', 'a-2-2']);
});
