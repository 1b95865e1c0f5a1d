/**
 * The Grafana dashboard: well-formed, its variables defined and used, and every query
 * valid PromQL. Grafana is not run here; promtool parses the queries instead, each one
 * written as a recording rule once the dashboard variables are replaced by plain values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { repoRoot } from '../helpers/paths.js';
import { findTool, runTool, type ToolRun } from '../helpers/promtool.js';

interface Target {
  refId: string;
  expr?: string;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  targets?: Target[];
  panels?: Panel[];
}
interface Variable {
  name: string;
  type: string;
  definition?: string;
}
interface Dashboard {
  uid: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
  annotations: { list: { name: string; expr?: string }[] };
}

const file = join(repoRoot, 'deploy', 'grafana', 'canary-dashboard.json');
const text = readFileSync(file, 'utf8');
const dashboard = JSON.parse(text) as Dashboard;
const NO_PROMTOOL = 'promtool not found in PATH (apt-get install prometheus); .ci/run installs it';

/** Grafana's own variables, which the dashboard may use without defining. */
const BUILTIN: Record<string, string> = {
  __rate_interval: '5m',
  __interval: '1m',
  __range: '1h',
  __range_s: '3600',
  __interval_ms: '60000',
};
/** Plain values for the dashboard's variables, as Grafana would interpolate a single choice. */
const VALUES: Record<string, string> = { region: 'eu-west-1', check: 'api', datasource: 'prometheus' };

const allPanels = (panels: Panel[]): Panel[] => panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);

/** Every variable reference ($name, ${name}, ${name:format}) in `s`. */
const references = (s: string): string[] =>
  [...s.matchAll(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g)].map((m) => m[1] ?? m[2] ?? '');

function interpolate(expr: string): string {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (_m, a?: string, b?: string) => {
    const name = a ?? b ?? '';
    const value = BUILTIN[name] ?? VALUES[name];
    assert.ok(value !== undefined, `no test value for $${name}`);
    return value;
  });
}

/** Every PromQL expression of the dashboard with where it comes from. */
function queries(): { name: string; expr: string }[] {
  const fromPanels = allPanels(dashboard.panels).flatMap((p) =>
    (p.targets ?? []).map((t) => ({ name: `panel_${p.id}_${t.refId}`, expr: t.expr ?? '' })),
  );
  const fromAnnotations = dashboard.annotations.list
    .filter((a) => a.expr)
    .map((a, i) => ({ name: `annotation_${i}`, expr: a.expr ?? '' }));
  // label_values(SELECTOR, label): the selector is PromQL too.
  const fromVariables = dashboard.templating.list.flatMap((v) => {
    const selector = /^label_values\((.+),\s*\w+\)$/.exec(v.definition ?? '')?.[1];
    return selector ? [{ name: `variable_${v.name}`, expr: selector }] : [];
  });
  return [...fromPanels, ...fromAnnotations, ...fromVariables];
}

/** Runs `promtool check rules` on recording rules made of `exprs`. */
async function checkAsRules(promtool: string, exprs: { name: string; expr: string }[]): Promise<ToolRun> {
  const dir = mkdtempSync(join(tmpdir(), 'canary-grafana-'));
  try {
    const rules = exprs.map((q) => ({ record: `grafana:${q.name}`, expr: interpolate(q.expr) }));
    const path = join(dir, 'dashboard.rules.yml');
    writeFileSync(path, stringify({ groups: [{ name: 'dashboard', rules }] }));
    return await runTool(promtool, ['check', 'rules', path], '', 60_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the dashboard is a current Grafana dashboard with unique panel ids', () => {
  assert.ok(dashboard.uid, 'a stable uid');
  assert.ok(dashboard.schemaVersion >= 36, `schemaVersion ${dashboard.schemaVersion}`);
  const ids = allPanels(dashboard.panels).map((p) => p.id);
  assert.ok(
    ids.every((id) => Number.isInteger(id)),
    'integer ids',
  );
  assert.equal(new Set(ids).size, ids.length, `duplicate panel ids in ${ids.join(',')}`);
});

test('it defines region and check from label_values, and uses every variable it defines', () => {
  const defined = dashboard.templating.list.map((v) => v.name);
  for (const name of ['region', 'check']) {
    const variable = dashboard.templating.list.find((v) => v.name === name);
    assert.match(variable?.definition ?? '', /^label_values\(/, `${name} comes from label_values`);
  }
  const panelsText = JSON.stringify(dashboard.panels) + JSON.stringify(dashboard.annotations);
  for (const name of defined) assert.ok(references(panelsText).includes(name), `$${name} is used by a panel`);
  for (const name of references(text)) {
    assert.ok(defined.includes(name) || name in BUILTIN, `$${name} is defined (or a Grafana variable)`);
  }
});

test('the panels cover what operators look at', () => {
  const exprs = queries()
    .map((q) => q.expr)
    .join('\n');
  for (const needed of [
    'probe_success',
    'canary:probe_success:ratio_rate5m',
    'probe_http_duration_seconds',
    'histogram_quantile(0.99',
    'canary:slo_errors:ratio_rate1h',
    'canary_slo_objective_ratio',
    'probe_ssl_earliest_cert_expiry',
    'canary_probe_attempts_total',
    'canary_chaos_runs_total',
    'canary_chaos_halted',
  ]) {
    assert.ok(exprs.includes(needed), `a query uses ${needed}`);
  }
});

test('every query is valid PromQL', async (t) => {
  const promtool = findTool('promtool');
  if (!promtool) return t.skip(NO_PROMTOOL);
  const all = queries();
  assert.ok(all.length >= 10, `${all.length} queries`);
  const run = await checkAsRules(promtool, all);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, new RegExp(`SUCCESS: ${all.length} rules found`));
});

test('the PromQL check rejects a broken query', async (t) => {
  const promtool = findTool('promtool');
  if (!promtool) return t.skip(NO_PROMTOOL);
  const run = await checkAsRules(promtool, [
    { name: 'broken', expr: 'sum by (check) (rate(probe_success{region=~"$region"}[$__rate_interval])' },
  ]);
  assert.notEqual(run.code, 0, 'an unbalanced parenthesis is reported');
});
