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
