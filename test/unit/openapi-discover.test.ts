import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { probeFileSchema } from '../../src/config/schema/check.js';
import { isCanaryError } from '../../src/errors.js';
import { discoverChecks, loadOpenApi, renderProbeFile } from '../../src/discovery/openapi/index.js';
import { fixture } from '../helpers/paths.js';

test('3.0 spec: one check per safe GET/HEAD operation, values from examples, defaults and enums', async () => {
  const spec = await loadOpenApi(fixture('openapi', 'petstore.yaml'));
  const discovery = discoverChecks(spec);
  const base = 'http://127.0.0.1:8080/v1';
  assert.deepEqual(discovery.checks, [
    {
      name: 'listPets',
      kind: 'http',
      target: `${base}/pets?limit=20&status=available&tags=dog`,
      expect: { status: [200] },
    },
    { name: 'listMyPets', kind: 'http', target: `${base}/pets/mine`, expect: { status: [200] } },
    {
      name: 'showPetById',
      kind: 'http',
      target: `${base}/pets/42`,
      http: { method: 'GET', headers: { 'x-request-id': 'abc-123' } },
      expect: { status: [200] },
    },
    {
      name: 'head-pets-petid',
      kind: 'http',
      target: `${base}/pets/42`,
      http: { method: 'HEAD' },
      expect: { status: [204] },
    },
    { name: 'get-health', kind: 'http', target: `${base}/health`, expect: { status: ['2xx'] } },
    { name: 'search', kind: 'http', target: `${base}/search?q=cats%20%26%20dogs&page=1`, expect: { status: [200] } },
  ]);
  assert.deepEqual(discovery.skipped, [
    { method: 'POST', path: '/pets', operationId: 'createPet', reason: 'unsafe method POST' },
    { method: 'DELETE', path: '/pets/{petId}', operationId: 'deletePet', reason: 'unsafe method DELETE' },
    {
      method: 'GET',
      path: '/pets/{petId}/photos/{photoId}',
      operationId: 'getPhoto',
      reason: 'unresolvable required parameter photoId',
    },
    { method: 'GET', path: '/admin/stats', operationId: 'adminStats', reason: 'requires authentication (bearerAuth)' },
  ]);
});

test('--base-url replaces the servers, base path included; a name prefix applies to every check', async () => {
  const spec = await loadOpenApi(fixture('openapi', 'petstore.yaml'));
  const discovery = discoverChecks(spec, { baseUrl: 'https://staging.example.test/api/v1/', namePrefix: 'pets' });
  assert.equal(discovery.checks[1]?.target, 'https://staging.example.test/api/v1/pets/mine');
  assert.equal(discovery.checks[1]?.name, 'pets-listMyPets');
});

test('3.1 JSON spec: const, examples arrays, content parameters, cookies, path item refs, duplicate names', async () => {
  const spec = await loadOpenApi(fixture('openapi', 'inventory.json'));
  const discovery = discoverChecks(spec, { baseUrl: 'http://127.0.0.1:9/api' });
  assert.deepEqual(discovery.checks, [
    {
      name: 'list-items',
      kind: 'http',
      target: 'http://127.0.0.1:9/api/items?sort=name&filter=%7B%22colour%22%3A%22red%22%7D&fields=sku',
      expect: { status: [200] },
    },
    {
      name: 'getItem',
      kind: 'http',
      target: 'http://127.0.0.1:9/api/items/ABC-1',
      http: { method: 'GET', headers: { cookie: 'session=s1' } },
      expect: { status: [200] },
    },
    {
      name: 'list-items-2',
      kind: 'http',
      target: 'http://127.0.0.1:9/api/items/ABC-1/stock',
      expect: { status: [200] },
    },
  ]);
  assert.deepEqual(
    discovery.skipped.map((s) => `${s.method} ${s.path}: ${s.reason}`),
    [
      'OPTIONS /items: method OPTIONS is not probed (only GET and HEAD)',
      'PUT /items: unsafe method PUT',
      'PATCH /items/{sku}: unsafe method PATCH',
      'GET /reports: requestBody required',
    ],
  );
});

test('without --base-url the first server must be an absolute URL', async () => {
  const spec = await loadOpenApi(fixture('openapi', 'inventory.json'));
  assert.throws(
    () => discoverChecks(spec),
    (err) =>
      isCanaryError(err, 'CANARY_ERR_USAGE') &&
      /servers\[0\]\.url "\/api" is not an absolute http\(s\) URL; pass --base-url$/.test(err.message),
  );
  assert.throws(
    () => discoverChecks(spec, { baseUrl: 'ftp://x/' }),
    /--base-url ftp:\/\/x\/: must be an absolute http/,
  );
});

test('ref cycles and dangling refs skip the operation that uses them; recursive schemas are fine', async () => {
  const spec = await loadOpenApi(fixture('openapi', 'cyclic.yaml'));
  const discovery = discoverChecks(spec);
  assert.deepEqual(
    discovery.checks.map((c) => c.target),
    ['https://api.example.test/tree?depth=3'],
  );
  assert.deepEqual(
    discovery.skipped.map((s) => `${s.method} ${s.path}: ${s.reason}`),
    [
      '* /self: $ref cycle: #/paths/~1self -> #/paths/~1self',
      'GET /loop: $ref cycle: #/components/parameters/A -> #/components/parameters/B -> #/components/parameters/A',
      'GET /across: $ref cycle: #/components/parameters/C -> cyclic-other.yaml#/components/parameters/D -> #/components/parameters/C',
      'GET /missing: $ref "#/components/parameters/Nope" points at nothing',
    ],
  );
});

test('the rendered probe file is valid, names the spec and the skipped operations, and is stable', async () => {
  const spec = await loadOpenApi(fixture('openapi', 'petstore.yaml'));
  const summary = { file: 'petstore.yaml', title: spec.title, apiVersion: spec.apiVersion };
  const text = renderProbeFile(summary, discoverChecks(spec));
  assert.equal(text, renderProbeFile(summary, discoverChecks(await loadOpenApi(fixture('openapi', 'petstore.yaml')))));
  assert.match(text, /^# Generated by `canary discover openapi` from petstore\.yaml \(Petstore 1\.2\.0\)\.$/m);
  assert.match(text, /^# {3}POST \/pets \(createPet\): unsafe method POST$/m);
  assert.match(text, /^ {2}# HEAD \/pets\/\{petId\}\n {2}- name: head-pets-petid$/m);
  const parsed = probeFileSchema.safeParse(parse(text));
  assert.ok(parsed.success, parsed.error?.message);
  assert.equal(parsed.data.checks.length, 6);
});

test('a $ in a value is written as $$ so the config loader does not read it as a variable', async () => {
  const spec = await loadOpenApi(fixture('openapi', 'petstore.yaml'));
  const discovery = discoverChecks(spec, { baseUrl: 'http://127.0.0.1:1/$x' });
  assert.match(
    renderProbeFile({ file: 's', title: 't', apiVersion: '' }, discovery),
    /target: http:\/\/127\.0\.0\.1:1\/\$\$x\/pets\/mine/,
  );
});
