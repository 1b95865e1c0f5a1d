/**
 * The Prometheus deployment files: promtool accepts the config, every rules file and every
 * rules unit test present under deploy/prometheus (whoever wrote them), and every alert
 * carries the labels, annotations and runbook operators rely on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../helpers/paths.js';
import { findTool, runTool } from '../helpers/promtool.js';

const dir = join(repoRoot, 'deploy', 'prometheus');
const runbooks = join(repoRoot, 'deploy', 'runbooks');
const promtool = findTool('promtool');
const NO_PROMTOOL = 'promtool not found in PATH (apt-get install prometheus); .ci/run installs it';
const RUNBOOK_SECTIONS = ['What it means', 'How to confirm', 'What to do', 'How to escalate'];
const RUNBOOK_BASE = 'https://github.com/canary-sre/canary/blob/main/deploy/runbooks/';

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface AlertTest {
  alertname: string;
  exp_alerts?: unknown[] | null;
}
interface StaticGroup {
  targets: string[];
  labels?: Record<string, string>;
}
interface ScrapeConfig {
  job_name: string;
  honor_labels?: boolean;
  metrics_path?: string;
  params?: Record<string, string[]>;
  static_configs?: StaticGroup[];
  relabel_configs?: { source_labels?: string[]; target_label?: string; replacement?: string }[];
}

/** The .yml files of a subdirectory of deploy/prometheus, as absolute paths, at test time. */
function yamlFiles(sub: string): string[] {
  return readdirSync(join(dir, sub))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, sub, f));
}

function rulesOf(file: string): Rule[] {
  const doc = parse(readFileSync(file, 'utf8')) as { groups?: { rules?: Rule[] }[] } | null;
  return (doc?.groups ?? []).flatMap((g) => g.rules ?? []);
}

const alerts = yamlFiles('rules').flatMap((file) =>
  rulesOf(file)
    .filter((r) => r.alert)
    .map((rule) => ({ file, rule })),
);

test('promtool check config accepts prometheus.yml and the rules it loads', async (t) => {
  if (!promtool) return t.skip(NO_PROMTOOL);
  const run = await runTool(promtool, ['check', 'config', join(dir, 'prometheus.yml')], '', 60_000);
  assert.equal(run.code, 0, run.stdout + run.stderr);
});

test('promtool check rules accepts every rules file', async (t) => {
  if (!promtool) return t.skip(NO_PROMTOOL);
  const files = yamlFiles('rules');
  assert.ok(
    files.some((f) => f.endsWith('canary-alerts.yml')),
    'canary-alerts.yml is present',
  );
  const run = await runTool(promtool, ['check', 'rules', ...files], '', 60_000);
  assert.equal(run.code, 0, run.stdout + run.stderr);
});

test('promtool test rules passes every rules unit test', async (t) => {
  if (!promtool) return t.skip(NO_PROMTOOL);
  const files = yamlFiles('tests');
  assert.ok(files.length > 0, 'rules unit tests exist');
  const run = await runTool(promtool, ['test', 'rules', ...files], '', 120_000);
  assert.equal(run.code, 0, run.stdout + run.stderr);
});

test("the canary job keeps the agents' region and labels every target group with one", () => {
  const config = parse(readFileSync(join(dir, 'prometheus.yml'), 'utf8')) as {
    rule_files: string[];
    scrape_configs: ScrapeConfig[];
  };
  assert.deepEqual(config.rule_files, ['rules/*.yml']);
  const job = config.scrape_configs.find((s) => s.job_name === 'canary');
  assert.ok(job, 'a scrape job named canary');
  assert.equal(job.honor_labels, true, "the agent's own region label wins");
  assert.ok(job.static_configs?.length, 'static target groups');
  for (const group of job.static_configs)
    assert.ok(group.labels?.region, `region label on ${group.targets.join(', ')}`);
});

test('the canary-probe job relabels the URL into the target parameter and instance', () => {
  const config = parse(readFileSync(join(dir, 'prometheus.yml'), 'utf8')) as { scrape_configs: ScrapeConfig[] };
  const job = config.scrape_configs.find((s) => s.job_name === 'canary-probe');
  assert.ok(job, 'a scrape job named canary-probe');
  assert.equal(job.metrics_path, '/probe');
  assert.deepEqual(job.params?.module, ['http_2xx']);
  const relabel = job.relabel_configs ?? [];
  assert.deepEqual(relabel[0]?.source_labels, ['__address__']);
  assert.equal(relabel[0]?.target_label, '__param_target');
  assert.equal(relabel[1]?.target_label, 'instance');
  assert.equal(relabel[2]?.target_label, '__address__');
  assert.match(relabel[2]?.replacement ?? '', /:9464$/, 'Prometheus connects to an agent');
});

test('every alert has a severity, summary, description and a runbook with the four sections', () => {
  assert.ok(alerts.length >= 7, `found ${alerts.length} alerts`);
  // Every problem at once, so one run shows all that is missing.
  const problems = alerts.flatMap(({ file, rule }) =>
    alertProblems(rule).map((p) => `${rule.alert} (${basename(file)}): ${p}`),
  );
  assert.deepEqual(problems, []);
});

function alertProblems(rule: Rule): string[] {
  const name = rule.alert ?? '';
  const problems: string[] = [];
  if (!/^(critical|warning|info)$/.test(rule.labels?.severity ?? '')) problems.push('severity critical|warning|info');
  if (!rule.annotations?.summary?.trim()) problems.push('summary');
  if (!rule.annotations?.description?.trim()) problems.push('description');
  if (rule.annotations?.runbook_url !== `${RUNBOOK_BASE}${name}.md`)
    problems.push(`runbook_url ${RUNBOOK_BASE}${name}.md`);
  const page = join(runbooks, `${name}.md`);
  if (!existsSync(page)) return [...problems, `deploy/runbooks/${name}.md exists`];
  const headings = readFileSync(page, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('## '))
    .map((l) => l.slice(3).trim());
  return [
    ...problems,
    ...RUNBOOK_SECTIONS.filter((s) => !headings.includes(s)).map((s) => `${name}.md has section "${s}"`),
  ];
}

test('the runbook index links every runbook and every alert', () => {
  const index = readFileSync(join(runbooks, 'README.md'), 'utf8');
  const pages = readdirSync(runbooks).filter((f) => f.endsWith('.md') && f !== 'README.md');
  for (const page of pages) assert.ok(index.includes(`](${page})`), `deploy/runbooks/README.md links ${page}`);
  for (const { rule } of alerts)
    assert.ok(index.includes(`](${rule.alert}.md)`), `deploy/runbooks/README.md links ${rule.alert}`);
});

test('docs/operating.md has a row for every rules file Prometheus loads', () => {
  const docs = readFileSync(join(repoRoot, 'docs', 'operating.md'), 'utf8');
  const missing = yamlFiles('rules')
    .map((file) => basename(file))
    .filter((name) => !docs.includes(`| \`${name}\` |`));
  assert.deepEqual(missing, [], 'rules files missing from the table of docs/operating.md, "Wiring to Prometheus"');
});

test('each alert of canary-alerts.yml is unit-tested firing and not firing', () => {
  const cases = yamlFiles('tests').flatMap((file) => {
    const doc = parse(readFileSync(file, 'utf8')) as { tests?: { alert_rule_test?: AlertTest[] }[] };
    return (doc.tests ?? []).flatMap((t) => t.alert_rule_test ?? []);
  });
  const own = rulesOf(join(dir, 'rules', 'canary-alerts.yml')).flatMap((r) => (r.alert ? [r.alert] : []));
  assert.equal(own.length, 7);
  for (const name of own) {
    const mine = cases.filter((c) => c.alertname === name);
    assert.ok(
      mine.some((c) => (c.exp_alerts ?? []).length > 0),
      `${name}: a case where it fires`,
    );
    assert.ok(
      mine.some((c) => (c.exp_alerts ?? []).length === 0),
      `${name}: a case where it does not`,
    );
  }
});
