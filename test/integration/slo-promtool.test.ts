/**
 * The shipped SLO rules under promtool: they load, their unit tests
 * (deploy/prometheus/tests/canary-slo.test.yml) pass, those unit tests catch a wrong
 * factor, and each alert has a runbook with the four sections.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { findTool, runTool } from '../helpers/promtool.js';

const promDir = join(repoRoot, 'deploy', 'prometheus');
const rules = join(promDir, 'rules', 'canary-slo.yml');
const unitTests = join(promDir, 'tests', 'canary-slo.test.yml');
const SKIP = 'promtool not found in PATH (Debian package "prometheus")';

test('promtool check rules accepts canary-slo.yml, lint included', async (t) => {
  const promtool = findTool('promtool');
  if (!promtool) return t.skip(SKIP);
  const run = await runTool(promtool, ['check', 'rules', rules], '');
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /SUCCESS: 11 rules found/);
});

test('promtool test rules: fast burn pages, a burn inside budget does not, slow burn tickets', async (t) => {
  const promtool = findTool('promtool');
  if (!promtool) return t.skip(SKIP);
  const run = await runTool(promtool, ['test', 'rules', unitTests], '', 60_000);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /SUCCESS/);
});

test('the rule unit tests fail when the page loses its short window', async (t) => {
  const promtool = findTool('promtool');
  if (!promtool) return t.skip(SKIP);
  const dir = mkdtempSync(join(tmpdir(), 'canary-slo-rules-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(promDir, dir, { recursive: true });
  const copy = join(dir, 'rules', 'canary-slo.yml');
  const text = readFileSync(copy, 'utf8');
  // Without the 5m window, a burst that stopped half an hour ago still pages.
  const mutated = text.replaceAll('canary:slo_errors:ratio_rate5m{', 'canary:slo_errors:ratio_rate1h{');
  assert.notEqual(mutated, text);
  writeFileSync(copy, mutated);
  const run = await runTool(promtool, ['test', 'rules', join(dir, 'tests', 'canary-slo.test.yml')], '', 60_000);
  assert.notEqual(run.code, 0, 'the unit tests passed without the short window');
  assert.match(run.stdout + run.stderr, /CanarySLOBurnRateFast/);
});

test('each SLO alert has a runbook with the four sections and real commands', () => {
  for (const alert of ['CanarySLOBurnRateFast', 'CanarySLOBurnRateSlow']) {
    const text = readFileSync(join(repoRoot, 'deploy', 'runbooks', `${alert}.md`), 'utf8');
    for (const section of ['What it means', 'How to confirm', 'What to do', 'How to escalate']) {
      assert.match(text, new RegExp(`^## ${section}$`, 'm'), `${alert}.md lacks "## ${section}"`);
    }
    assert.match(text, /canary:slo_errors:ratio_rate/, `${alert}.md shows the PromQL to confirm`);
    assert.match(text, /canary probe /, `${alert}.md shows how to probe by hand`);
  }
});
