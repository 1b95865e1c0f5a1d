import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { serialise } from '../../src/json-schema/schemas.js';
import { experimentJsonSchema, experimentSchema, type ExperimentInput } from '../../src/chaos/schema.js';
import type { Tolerance } from '../../src/chaos/model/experiment.js';
import type { HttpStep } from '../../src/chaos/model/steps.js';
import { repoRoot } from '../helpers/paths.js';

test('config/chaos-experiment.schema.json is generated from the current schema', () => {
  const committed = readFileSync(resolve(repoRoot, 'config', 'chaos-experiment.schema.json'), 'utf8');
  assert.equal(committed, serialise(experimentJsonSchema()));
});

test('the JSON schema rejects unknown keys and requires a name, a blast radius and a method', () => {
  const schema = experimentJsonSchema() as {
    additionalProperties: boolean;
    required: string[];
    properties: Record<string, unknown>;
  };
  assert.equal(schema.additionalProperties, false);
  assert.deepEqual([...schema.required].sort(), ['blastRadius', 'method', 'name']);
  assert.ok('schedule' in schema.properties && 'rollbackStrategy' in schema.properties);
});

const base: ExperimentInput = { name: 'unit', blastRadius: { maxInstances: 1 }, method: [{ pause: '1s' }] };

function tolerance(entry: Record<string, unknown>): Tolerance {
  const parsed = experimentSchema.parse({ ...base, steadyState: [{ check: 'c', ...entry }] });
  return parsed.steadyState[0] as Tolerance;
}

test('comparisons keep ratios as fractions and latencies in seconds, with the text as written', () => {
  assert.deepEqual(tolerance({ successRatio: '>=99.5%' }).successRatio, { op: '>=', value: 0.995, text: '>=99.5%' });
  assert.deepEqual(tolerance({ successRatio: ' == 1 ' }).successRatio, { op: '==', value: 1, text: '== 1' });
  assert.deepEqual(tolerance({ p50: '> 250ms' }).p50, { op: '>', value: 0.25, text: '> 250ms' });
  assert.deepEqual(tolerance({ p99: '<= 1m30s' }).p99, { op: '<=', value: 90, text: '<= 1m30s' });
  for (const bad of ['>= 101%', '>= -0.1', '=> 0.9', '0.99', '>= ', '>= 1.5']) {
    assert.equal(
      experimentSchema.safeParse({ ...base, steadyState: [{ check: 'c', successRatio: bad }] }).success,
      false,
      bad,
    );
  }
  assert.equal(experimentSchema.safeParse({ ...base, steadyState: [{ check: 'c', p95: '< 300' }] }).success, false);
});

function httpStep(step: Record<string, unknown>): HttpStep {
  const parsed = experimentSchema.parse({ ...base, method: [{ action: 'http', url: 'http://127.0.0.1:9/', ...step }] });
  return parsed.method[0] as HttpStep;
}

test('expected statuses: codes, classes and ranges become the concrete codes, once each and sorted', () => {
  assert.deepEqual(httpStep({ expectStatus: [404, '2xx', '200-201'] }).expectStatus, [
    ...Array.from({ length: 100 }, (_, i) => 200 + i),
    404,
  ]);
  assert.deepEqual(httpStep({ expectStatus: ['503', '500-502'] }).expectStatus, [500, 501, 502, 503]);
  // One status written alone is a list of that one, as in checks.
  assert.deepEqual(httpStep({ expectStatus: 204 }).expectStatus, [204]);
  assert.deepEqual(httpStep({ expectStatus: '5xx' }).expectStatus.length, 100);
  assert.equal(
    experimentSchema.safeParse({ ...base, method: [{ action: 'http', url: 'http://x/', expectStatus: ['299-200'] }] })
      .success,
    false,
  );
});

test('an http revert takes the defaults for what it leaves out, not the fields of the step', () => {
  const step = httpStep({
    method: 'POST',
    headers: { a: 'b' },
    body: '{}',
    expectStatus: [201],
    timeout: '5s',
    revert: { url: 'http://127.0.0.1:9/x' },
  });
  assert.deepEqual(step.revert, {
    method: 'GET',
    url: 'http://127.0.0.1:9/x',
    headers: {},
    expectStatus: httpStep({}).expectStatus,
    timeoutMs: 30_000,
  });
});

test('URLs may use placeholders, but must still be absolute once they are filled in', () => {
  assert.equal(httpStep({ url: '{url}/admin/fault' }).url, '{url}/admin/fault');
  assert.equal(httpStep({ url: 'http://{var.host}:{var.port}/x' }).url, 'http://{var.host}:{var.port}/x');
  assert.equal(
    experimentSchema.safeParse({ ...base, method: [{ action: 'http', url: '{instance}/x' }] }).success,
    false,
  );
});

test('windows accept day names and numbers, and a window must not cross midnight', () => {
  const schedule = (w: Record<string, unknown>) =>
    experimentSchema.safeParse({ ...base, schedule: { cron: '0 * * * *', windows: [w] } });
  const ok = schedule({ days: ['SUN', 6, 'sat'], start: '00:00', end: '24:00', timeZone: 'America/New_York' });
  assert.ok(ok.success);
  assert.deepEqual(ok.data.schedule?.windows, [
    { days: [0, 6], startMinute: 0, endMinute: 1440, timeZone: 'America/New_York' },
  ]);
  assert.equal(ok.data.schedule?.minGapMs, 0);
  assert.equal(schedule({ days: [7], start: '09:00', end: '10:00', timeZone: 'UTC' }).success, false);
  assert.equal(schedule({ days: ['mon'], start: '10:00', end: '10:00', timeZone: 'UTC' }).success, false);
  assert.equal(schedule({ days: [], start: '09:00', end: '10:00', timeZone: 'UTC' }).success, false);
});
