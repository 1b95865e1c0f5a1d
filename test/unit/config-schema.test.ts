import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { jsonSchemas, serialise } from '../../src/json-schema/schemas.js';
import { repoRoot } from '../helpers/paths.js';

for (const [name, schema] of Object.entries(jsonSchemas())) {
  test(`config/${name} is generated from the current schemas (run \`npm run schema\` when this fails)`, () => {
    const committed = readFileSync(resolve(repoRoot, 'config', name), 'utf8');
    assert.equal(committed, serialise(schema));
  });
}

test('the JSON schema rejects unknown keys and documents defaults', () => {
  const schema = jsonSchemas()['schema.json'] as {
    additionalProperties: boolean;
    properties: Record<string, { default?: unknown }>;
  };
  assert.equal(schema.additionalProperties, false);
  assert.deepEqual(Object.keys(schema.properties).sort(), [
    'agent',
    'blackboxConfig',
    'chaos',
    'checks',
    'exporters',
    'modules',
    'probes',
    'redact',
    'server',
  ]);
});

test('the JSON schema takes expect.status as one status or as a list, for editors as for the loader', () => {
  const schema = jsonSchemas()['probe-file.schema.json'] as {
    properties: { checks: { items: { oneOf: { properties: Record<string, Record<string, unknown>> }[] } } };
  };
  const http = schema.properties.checks.items.oneOf.find(
    (o) => (o.properties.kind as { const?: string }).const === 'http',
  );
  const expect = http?.properties.expect as {
    properties: { status: { default: unknown; anyOf: { type?: string }[] } };
  };
  const status = expect.properties.status;
  assert.deepEqual(status.default, ['2xx']);
  assert.equal(status.anyOf.length, 2);
  assert.equal(status.anyOf[0]?.type, 'array');
  // The second form is one status: the same choices as an item of the list.
  const item = (status.anyOf[0] as { items: unknown }).items;
  assert.deepEqual(status.anyOf[1], item);
});
