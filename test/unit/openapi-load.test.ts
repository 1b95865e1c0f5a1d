import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCanaryError } from '../../src/errors.js';
import { loadOpenApi } from '../../src/discovery/openapi/index.js';
import { fixture } from '../helpers/paths.js';

async function withFiles(files: Record<string, string>, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'canary-openapi-'));
  try {
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function loadError(path: string): Promise<string> {
  try {
    await loadOpenApi(path);
  } catch (err) {
    assert.ok(isCanaryError(err, 'CANARY_ERR_USAGE'), `expected a usage error, got ${String(err)}`);
    return err.message;
  }
  assert.fail(`${path} loaded`);
}

test('loads a 3.0 YAML spec and the file its refs point into', async () => {
  const spec = await loadOpenApi(fixture('openapi', 'petstore.yaml'));
  assert.equal(spec.version, '3.0.3');
  assert.equal(spec.title, 'Petstore');
  assert.equal(spec.apiVersion, '1.2.0');
  const pet = spec.refs.deref({ $ref: 'shared.yaml#/components/schemas/PetId' }, spec.file);
  assert.deepEqual(pet.value, { type: 'integer', format: 'int64', example: 42 });
  assert.equal(pet.file, fixture('openapi', 'shared.yaml'));
});

test('loads a 3.1 JSON spec', async () => {
  const spec = await loadOpenApi(fixture('openapi', 'inventory.json'));
  assert.equal(spec.version, '3.1.0');
  assert.equal(spec.title, 'Inventory');
});

test('unreadable, unparsable and non-OpenAPI-3 documents are usage errors naming the file', async () => {
  await withFiles(
    {
      'swagger.yaml': 'swagger: "2.0"\ninfo: { title: old, version: "1" }\npaths: {}\n',
      'four.yaml': 'openapi: 4.0.0\npaths: {}\n',
      'list.yaml': '- a\n- b\n',
      'broken.yaml': 'openapi: 3.0.0\npaths: [\n',
      'broken.json': '{"openapi": "3.1.0",',
      'dangling.yaml': "openapi: 3.0.0\ninfo: { title: t, version: '1' }\npaths:\n  /a: { $ref: 'gone.yaml#/x' }\n",
    },
    async (dir) => {
      assert.match(await loadError(join(dir, 'nope.yaml')), /nope\.yaml: cannot read OpenAPI document: ENOENT$/);
      assert.match(
        await loadError(join(dir, 'swagger.yaml')),
        /swagger\.yaml: Swagger 2\.0 is not supported; convert it to OpenAPI 3$/,
      );
      assert.match(
        await loadError(join(dir, 'four.yaml')),
        /four\.yaml: openapi: expected 3\.0\.x or 3\.1\.x, got "4\.0\.0"$/,
      );
      assert.match(await loadError(join(dir, 'list.yaml')), /list\.yaml: not an OpenAPI document/);
      assert.match(await loadError(join(dir, 'broken.yaml')), /broken\.yaml: not valid YAML: /);
      assert.match(await loadError(join(dir, 'broken.json')), /broken\.json: not valid JSON: /);
      assert.match(
        await loadError(join(dir, 'dangling.yaml')),
        /gone\.yaml: cannot read OpenAPI document \(referenced from .*dangling\.yaml\): ENOENT$/,
      );
    },
  );
});
