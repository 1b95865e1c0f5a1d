/**
 * The shipped region rules (deploy/prometheus/rules/canary-sli.yml and canary-regions.yml):
 * promtool accepts them, their unit tests pass, the unit tests catch a wrong quorum, and
 * each alert carries what the alert contract asks (severity, summary, description, a
 * runbook that exists with its four sections).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../helpers/paths.js';
import { findTool, runTool } from '../helpers/promtool.js';

const promDir = join(repoRoot, 'deploy', 'prometheus');
const ruleFiles = ['canary-sli.yml', 'canary-regions.yml'].map((f) => join(promDir, 'rules', f));
const unitTests = join(promDir, 'tests', 'canary-regions.test.yml');
const RUNBOOK_SECTIONS = ['What it means', 'How to confirm', 'What to do', 'How to escalate'];

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

function rules(file: string): Rule[] {
  const doc = parse(readFileSync(file, 'utf8')) as { groups: { rules: Rule[] }[] };
  return doc.groups.flatMap((g) => g.rules);
}

test('promtool check rules accepts the SLI recordings and the region alerts', async (t) => {
  const promtool = findTool('promtool');
  if (!promtool) return t.skip('promtool not found in PATH (Debian package "prometheus")');
  const run = await runTool(promtool, ['check', 'rules', ...ruleFiles], '');
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /SUCCESS: 4 rules found[\s\S]*SUCCESS: 2 rules found/);
});

test('promtool test rules passes the quorum and one-region cases', async (t) => {
  const promtool = findTool('promtool');
  if (!promtool) return t.skip('promtool not found in PATH (Debian package "prometheus")');
  const run = await runTool(promtool, ['test', 'rules', unitTests], '');
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /SUCCESS/);
});

test('the unit tests fail when "more than half" becomes "at least half"', async (t) => {
  const promtool = findTool('promtool');
  if (!promtool) return t.skip('promtool not found in PATH (Debian package "prometheus")');
  const dir = mkdtempSync(join(tmpdir(), 'canary-rules-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(promDir, dir, { recursive: true });
  const regions = join(dir, 'rules', 'canary-regions.yml');
  const text = readFileSync(regions, 'utf8');
  const mutated = text.replaceAll(
    '> on (check) (canary:check_regions:count / 2)',
    '>= on (check) (canary:check_regions:count / 2)',
  );
  assert.notEqual(mutated, text, 'the quorum comparison is where the test expects it');
  writeFileSync(regions, mutated);
  const run = await runTool(promtool, ['test', 'rules', join(dir, 'tests', 'canary-regions.test.yml')], '');
  assert.notEqual(run.code, 0);
  assert.match(run.stdout + run.stderr, /FAILED/);
});

test('the recordings are the ones the other rules and dashboards use', () => {
  const names = rules(ruleFiles[0]!).map((r) => r.record);
  assert.deepEqual(names, [
    'canary:probe_success:ratio_rate5m',
    'canary:check_down:bool',
    'canary:check_regions:count',
    'canary:check_regions_down:count',
  ]);
  const down = rules(ruleFiles[0]!).find((r) => r.record === 'canary:check_down:bool');
  assert.match(down?.expr ?? '', /max by \(check, region\) \(probe_success\)/, 'agents of one region count once');
});

test('each region alert has severity, summary, description and an existing runbook', () => {
  const alerts = rules(ruleFiles[1]!);
  assert.deepEqual(
    alerts.map((a) => [a.alert, a.labels?.severity]),
    [
      ['CanaryCheckDownQuorum', 'critical'],
      ['CanaryCheckDownOneRegion', 'warning'],
    ],
  );
  for (const alert of alerts) {
    const name = alert.alert ?? '';
    assert.ok(alert.annotations?.summary, `${name} summary`);
    assert.ok(alert.annotations?.description, `${name} description`);
    assert.equal(
      alert.annotations?.runbook_url,
      `https://github.com/canary-sre/canary/blob/main/deploy/runbooks/${name}.md`,
    );
    const runbook = join(repoRoot, 'deploy', 'runbooks', `${name}.md`);
    assert.ok(existsSync(runbook), `${runbook} exists`);
    const headings = readFileSync(runbook, 'utf8').match(/^## .+$/gm) ?? [];
    assert.deepEqual(
      headings.map((h) => h.slice(3)),
      RUNBOOK_SECTIONS,
      `${name} runbook sections`,
    );
  }
});
