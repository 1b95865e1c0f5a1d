/**
 * The fleet grid: its quorum is the shipped CanaryCheckDownQuorum alert's condition, word
 * for word, and its per-region series the shipped recording; the grid puts a quorum first,
 * then the most regions down, and a fleet of any size is cut at the limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { PromSample } from '../../src/chaos/promql/verdict.js';
import { DOWN_BY_REGION, fleetGrid, QUORUM_EXPR } from '../../src/agent/status/fleet-grid.js';
import { repoRoot } from '../helpers/paths.js';

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
}

function rules(file: string): Rule[] {
  const path = join(repoRoot, 'deploy', 'prometheus', 'rules', file);
  const doc = parse(readFileSync(path, 'utf8')) as { groups: { rules: Rule[] }[] };
  return doc.groups.flatMap((g) => g.rules);
}

/** PromQL compared as written, whitespace aside. */
const squeeze = (expr: string) => expr.replace(/\s+/g, ' ').trim();

test('the quorum is the expression of the shipped CanaryCheckDownQuorum alert', () => {
  const alert = rules('canary-regions.yml').find((r) => r.alert === 'CanaryCheckDownQuorum');
  assert.ok(alert, 'the alert is in canary-regions.yml');
  assert.equal(squeeze(QUORUM_EXPR), squeeze(alert.expr));
});

test('the grid reads the recording the quorum counts are made of', () => {
  const records = rules('canary-sli.yml').map((r) => r.record);
  assert.ok(records.includes(DOWN_BY_REGION), `${DOWN_BY_REGION} is recorded`);
  const counts = rules('canary-sli.yml').filter((r) => /^canary:check_regions(_down)?:count$/.test(r.record ?? ''));
  for (const rule of counts) assert.match(rule.expr, new RegExp(`\\(${DOWN_BY_REGION}\\)`), rule.record);
});

const down = (check: string, region: string, value: number): PromSample => ({
  labels: { check, region },
  at: 0,
  value,
});

test('a check is up (1) or down (0) by region, counted, and judged by the quorum answer', () => {
  const grid = fleetGrid(
    [down('web', 'eu', 0), down('web', 'us', 1), down('api', 'eu', 1), down('api', 'us', 1), down('db', 'ap', 0)],
    [{ labels: { check: 'api' }, at: 0, value: 2 }],
    Date.UTC(2026, 0, 1),
  );
  assert.deepEqual(grid.regions, ['ap', 'eu', 'us']);
  assert.deepEqual(grid.checks, [
    { check: 'api', regions: { eu: 0, us: 0 }, down: 2, total: 2, quorum: true },
    { check: 'web', regions: { eu: 1, us: 0 }, down: 1, total: 2, quorum: false },
    { check: 'db', regions: { ap: 1 }, down: 0, total: 1, quorum: false },
  ]);
  assert.equal(grid.generatedAt, '2026-01-01T00:00:00.000Z');
  assert.equal(grid.truncated, false);
});

test('a big fleet is cut at the limit, quorum first, and says so', () => {
  const samples = Array.from({ length: 5000 }, (_, i) => down(`c${String(i).padStart(4, '0')}`, 'eu', 0));
  samples.push(down('z-broken', 'eu', 1));
  const grid = fleetGrid(samples, [{ labels: { check: 'z-broken' }, at: 0, value: 1 }], 0);
  assert.equal(grid.checks.length, 1000);
  assert.equal(grid.totalChecks, 5001);
  assert.equal(grid.truncated, true);
  assert.equal(grid.checks[0]?.check, 'z-broken');
  assert.equal(grid.checks[1]?.check, 'c0000');
});

test('series without a check or region label are left out', () => {
  const grid = fleetGrid([{ labels: { check: 'web' }, at: 0, value: 1 }], [], 0);
  assert.deepEqual(grid.checks, []);
  assert.deepEqual(grid.regions, []);
});
