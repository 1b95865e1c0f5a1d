import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  coverage,
  coverageRatio,
  loadOpenApi,
  type CoverageCheck,
  type OpenApiSpec,
} from '../../src/discovery/openapi/index.js';
import { fixture } from '../helpers/paths.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canary-coverage-'));
});
after(() => rm(dir, { recursive: true, force: true }));

async function specOf(document: Record<string, unknown>): Promise<OpenApiSpec> {
  const file = join(dir, `spec-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify({ openapi: '3.1.0', info: { title: 't', version: '1' }, ...document }));
  return loadOpenApi(file);
}

function http(name: string, target: string, method = 'GET', enabled = true): CoverageCheck {
  return { name, kind: 'http', target, enabled, http: { method } };
}

test('an operation is covered by a check with its method whose path matches its template under the base path', async () => {
  const spec = await loadOpenApi(fixture('openapi', 'petstore.yaml'));
  const report = coverage(spec, [
    http('list', 'https://prod.example.test/v1/pets?limit=5'),
    http('one', 'http://127.0.0.1:1/v1/pets/7/'),
    http('gone', 'http://127.0.0.1:1/v1/pets/7', 'DELETE'),
    http('mine', 'http://127.0.0.1:1/v1/pets/mine'),
    http('wrong-base', 'http://127.0.0.1:1/pets'),
    http('wrong-method', 'http://127.0.0.1:1/v1/health', 'POST'),
    http('off', 'http://127.0.0.1:1/v1/search', 'GET', false),
    { name: 'tcp', kind: 'tcp', target: '127.0.0.1:1' },
  ]);
  assert.deepEqual(
    report.covered.map((c) => `${c.method} ${c.path} <- ${c.checks.join(',')}`),
    ['GET /pets <- list', 'GET /pets/mine <- mine', 'GET /pets/{petId} <- one', 'DELETE /pets/{petId} <- gone'],
  );
  assert.deepEqual(
    report.uncovered.map((c) => `${c.method} ${c.path}`),
    [
      'POST /pets',
      'HEAD /pets/{petId}',
      'GET /pets/{petId}/photos/{photoId}',
      'GET /health',
      'GET /search',
      'GET /admin/stats',
    ],
  );
  assert.equal(report.total, 10);
  assert.equal(report.ratio, 0.4);
  assert.equal(coverageRatio(spec, []), 0);
});

test('the most literal template wins: /pets/mine covers GET /pets/mine, not GET /pets/{petId}', async () => {
  const spec = await loadOpenApi(fixture('openapi', 'petstore.yaml'));
  const report = coverage(spec, [http('mine', 'http://h/v1/pets/mine')]);
  assert.deepEqual(
    report.covered.map((c) => c.path),
    ['/pets/mine'],
  );
});

test('--base-url sets the base path; relative servers and server variables count as base paths', async () => {
  const petstore = await loadOpenApi(fixture('openapi', 'petstore.yaml'));
  assert.equal(
    coverage(petstore, [http('a', 'http://h/api/health')], { baseUrl: 'https://x.test/api/' }).covered.length,
    1,
  );
  assert.equal(
    coverage(petstore, [http('a', 'http://h/v1/health')], { baseUrl: 'https://x.test/api/' }).covered.length,
    0,
  );
  const inventory = await loadOpenApi(fixture('openapi', 'inventory.json'));
  const report = coverage(inventory, [
    http('stock', 'http://h/api/items/XYZ-9/stock'),
    http('items', 'http://h/api/items', 'OPTIONS'),
  ]);
  assert.deepEqual(
    report.covered.map((c) => `${c.method} ${c.path}`),
    ['OPTIONS /items', 'GET /items/{sku}/stock'],
  );
  const variables = await specOf({
    servers: [
      {
        url: 'https://{region}.example.test/{base}',
        variables: { region: { default: 'eu' }, base: { default: 'v2' } },
      },
    ],
    paths: { '/x': { get: {} } },
  });
  assert.equal(coverageRatio(variables, [http('x', 'http://h/v2/x')]), 1);
});

test('without servers the base path is /; parameters match one segment only; no operations is ratio 1', async () => {
  const spec = await specOf({ paths: { '/files/{name}.json': { get: {} }, '/': { head: {} } } });
  assert.equal(coverageRatio(spec, [http('f', 'http://h/files/a.json')]), 0.5);
  assert.equal(coverageRatio(spec, [http('f', 'http://h/files/a/b.json')]), 0);
  assert.equal(coverageRatio(spec, [http('root', 'http://h', 'HEAD')]), 0.5);
  assert.equal(coverageRatio(await specOf({ paths: {} }), []), 1);
});
