import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Agent } from '../../src/agent.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';

const SPEC = [
  'openapi: 3.0.3',
  'info: { title: pets, version: "1" }',
  'paths:',
  '  /health: { get: { responses: { "200": { description: ok } } } }',
  '  /pets/{id}: { get: { parameters: [{ name: id, in: path, required: true, schema: { type: string } }], responses: { "200": { description: ok } } } }',
].join('\n');

function agentYaml(paths: readonly string[]): string {
  return [
    'server: { listen: 127.0.0.1:0 }',
    'probes: { openapi: [pets.yaml, missing.yaml] }',
    'checks:',
    // Disabled: counted by coverage like any check, but nothing is sent anywhere.
    ...paths.map((path, i) => `  - { name: c${i}, kind: http, target: "http://127.0.0.1:9${path}", enabled: false }`),
  ].join('\n');
}

test('canary_endpoint_coverage_ratio: computed at start and on reload; a spec that does not load has no series', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'canary-coverage-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'pets.yaml'), SPEC);
  const file = join(dir, 'agent.yaml');
  writeFileSync(file, agentYaml(['/health']));
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const agent = new Agent(await loadConfig(file), { logger: createLogger({ level: 'info', destination }) });
  await agent.start();
  t.after(() => agent.stop());
  const gauge = async () =>
    (await agent.metrics()).body.split('\n').filter((l) => l.startsWith('canary_endpoint_coverage_ratio{'));
  // Disabled checks probe nothing, so they cover nothing.
  assert.deepEqual(await gauge(), ['canary_endpoint_coverage_ratio{spec="pets.yaml",region="local"} 0']);
  assert.ok(lines.join('').includes('OpenAPI spec not loaded'));

  writeFileSync(file, agentYaml(['/health']).replace(', enabled: false', ''));
  assert.equal((await agent.reload('http')).status, 'success');
  assert.deepEqual(await gauge(), ['canary_endpoint_coverage_ratio{spec="pets.yaml",region="local"} 0.5']);

  writeFileSync(file, agentYaml(['/health', '/pets/7']).replaceAll(', enabled: false', ''));
  assert.equal((await agent.reload('http')).status, 'success');
  assert.deepEqual(await gauge(), ['canary_endpoint_coverage_ratio{spec="pets.yaml",region="local"} 1']);
});
