import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRef, RefError, RefResolver } from '../../src/discovery/openapi/refs.js';

const root = '/specs/api.yaml';
const other = '/specs/common/other.yaml';
const documents = new Map<string, unknown>([
  [
    root,
    {
      components: {
        schemas: {
          'a/b': { type: 'string' },
          'til~de': { type: 'integer' },
          Alias: { $ref: '#/components/schemas/a~1b' },
        },
        parameters: {
          Ext: { $ref: 'common/other.yaml#/parameters/Local' },
          A: { $ref: '#/components/parameters/B' },
          B: { $ref: '#/components/parameters/A' },
        },
      },
      list: [{ value: 'first' }],
    },
  ],
  [other, { parameters: { Local: { $ref: '#/parameters/Real' }, Real: { name: 'id', in: 'path' } } }],
]);
const refs = new RefResolver(root, documents);

test('a value that is not a $ref is returned as it is', () => {
  assert.deepEqual(refs.deref({ type: 'string' }, root), { value: { type: 'string' }, file: root });
});

test('JSON pointers unescape ~1 and ~0 and index arrays', () => {
  assert.deepEqual(refs.deref({ $ref: '#/components/schemas/a~1b' }, root).value, { type: 'string' });
  assert.deepEqual(refs.deref({ $ref: '#/components/schemas/til~0de' }, root).value, { type: 'integer' });
  assert.deepEqual(refs.deref({ $ref: '#/list/0' }, root).value, { value: 'first' });
  assert.deepEqual(refs.deref({ $ref: '#/components/schemas/Alias' }, root).value, { type: 'string' });
});

test("a ref into another file resolves that file's own local refs against it", () => {
  const found = refs.deref({ $ref: '#/components/parameters/Ext' }, root);
  assert.deepEqual(found, { value: { name: 'id', in: 'path' }, file: other });
});

test('a cycle of refs throws, naming each step', () => {
  assert.throws(() => refs.deref({ $ref: '#/components/parameters/A' }, root), {
    name: 'RefError',
    message: '$ref cycle: #/components/parameters/A -> #/components/parameters/B -> #/components/parameters/A',
  });
});

test('a ref to nothing, to an unloaded file or to a remote URL throws a RefError', () => {
  assert.throws(
    () => refs.deref({ $ref: '#/components/schemas/Nope' }, root),
    /\$ref "#\/components\/schemas\/Nope" points at nothing/,
  );
  assert.throws(() => refs.deref({ $ref: 'missing.yaml#/x' }, root), /file missing\.yaml was not loaded/);
  assert.throws(
    () => refs.deref({ $ref: 'https://example.com/spec.yaml#/x' }, root),
    (err) => err instanceof RefError && /not fetched/.test(err.message),
  );
});

test('parseRef resolves relative files against the referring file', () => {
  assert.deepEqual(parseRef('other.yaml#/a', '/specs/common/x.yaml'), { file: other, pointer: '/a' });
  assert.deepEqual(parseRef('../api.yaml', other), { file: root, pointer: '' });
  assert.deepEqual(parseRef('#/a', root), { file: root, pointer: '/a' });
});
