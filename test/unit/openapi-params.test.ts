import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  queryPairs,
  readParameter,
  schemaValue,
  simpleValue,
  type Parameter,
} from '../../src/discovery/openapi/params.js';
import { RefResolver } from '../../src/discovery/openapi/refs.js';

const file = '/spec.yaml';
const refs = new RefResolver(
  file,
  new Map([
    [
      file,
      { components: { schemas: { Colour: { enum: ['red', 'green'] } }, examples: { One: { value: 'from-ref' } } } },
    ],
  ]),
);

test('a value comes from example, then examples, then the schema', () => {
  const value = (raw: Record<string, unknown>) => readParameter({ name: 'p', in: 'query', ...raw }, file, refs)?.value;
  assert.deepEqual(value({ example: 'a', examples: { x: { value: 'b' } }, schema: { default: 'c' } }), { value: 'a' });
  assert.deepEqual(value({ examples: { x: { summary: 'no value' }, y: { value: 'b' } }, schema: { default: 'c' } }), {
    value: 'b',
  });
  assert.deepEqual(value({ examples: { x: { $ref: '#/components/examples/One' } } }), { value: 'from-ref' });
  assert.deepEqual(value({ schema: { example: 1, default: 2 } }), { value: 1 });
  assert.deepEqual(value({ schema: { examples: [5, 6], default: 2 } }), { value: 5 });
  assert.deepEqual(value({ schema: { default: false } }), { value: false });
  assert.deepEqual(value({ schema: { $ref: '#/components/schemas/Colour' } }), { value: 'red' });
  assert.deepEqual(value({ schema: { const: 'fixed' } }), { value: 'fixed' });
  assert.deepEqual(value({ schema: { type: 'array', items: { $ref: '#/components/schemas/Colour' } } }), {
    value: ['red'],
  });
  assert.deepEqual(value({ schema: { oneOf: [{ type: 'string' }, { type: 'integer', default: 7 }] } }), { value: 7 });
  assert.deepEqual(value({ content: { 'application/json': { example: { a: 1 } } } }), { value: '{"a":1}' });
  assert.equal(value({ schema: { type: 'string' } }), undefined);
  assert.equal(value({ example: null }), undefined);
});

test('path parameters are always required; query ones only when they say so; other locations are not parameters', () => {
  assert.equal(readParameter({ name: 'id', in: 'path' }, file, refs)?.required, true);
  assert.equal(readParameter({ name: 'q', in: 'query' }, file, refs)?.required, false);
  assert.equal(readParameter({ name: 'q', in: 'query', required: true }, file, refs)?.required, true);
  assert.equal(readParameter({ name: 'b', in: 'body' }, file, refs), undefined);
  assert.equal(readParameter({ in: 'query' }, file, refs), undefined);
});

test('schema search is bounded: a schema whose items refer to itself ends', () => {
  const self = new RefResolver(file, new Map([[file, { s: { type: 'array', items: { $ref: '#/s' } } }]]));
  assert.equal(schemaValue({ $ref: '#/s' }, file, self), undefined);
});

function param(raw: Record<string, unknown>): Parameter {
  const p = readParameter({ name: 'id', in: 'query', ...raw }, file, refs);
  assert.ok(p);
  return p;
}

test('query values are serialized in their style: form (exploded or not), space, pipe, deepObject', () => {
  assert.deepEqual(queryPairs(param({}), 'a b&c'), ['id=a%20b%26c']);
  assert.deepEqual(queryPairs(param({}), [1, 2]), ['id=1', 'id=2']);
  assert.deepEqual(queryPairs(param({ explode: false }), [1, 2]), ['id=1,2']);
  assert.deepEqual(queryPairs(param({ style: 'spaceDelimited', explode: false }), [1, 2]), ['id=1%202']);
  assert.deepEqual(queryPairs(param({ style: 'pipeDelimited', explode: false }), [1, 2]), ['id=1|2']);
  assert.deepEqual(queryPairs(param({}), { r: 1, g: 2 }), ['r=1', 'g=2']);
  assert.deepEqual(queryPairs(param({ explode: false }), { r: 1, g: 2 }), ['id=r,1,g,2']);
  assert.deepEqual(queryPairs(param({ style: 'deepObject' }), { r: 1 }), ['id%5Br%5D=1']);
});

test('path and header values use the simple style', () => {
  const path = param({ in: 'path' });
  assert.equal(simpleValue(path, 'a/b', encodeURIComponent), 'a%2Fb');
  assert.equal(simpleValue(path, [1, 2], encodeURIComponent), '1,2');
  assert.equal(simpleValue(path, { r: 1 }, encodeURIComponent), 'r,1');
  assert.equal(simpleValue(param({ in: 'path', explode: true }), { r: 1 }, encodeURIComponent), 'r=1');
  assert.equal(
    simpleValue(param({ in: 'header' }), 'a b', (s) => s),
    'a b',
  );
});
