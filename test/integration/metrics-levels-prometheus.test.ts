/**
 * The shipped rules and dashboard at both metrics levels, against a real Prometheus: an
 * agent runs one HTTPS check at `basic` and one at `full` (each with an `slo:`), Prometheus
 * scrapes it and evaluates every shipped rule file plus the SLO rules `canary rules
 * generate` makes for these checks. Then:
 * - every metric the rules read is in the agent's exposition for the basic check too;
 * - the recording rules have a value for both checks;
 * - every dashboard query about checks returns data for both checks.
 * The agent renders `/metrics` on its render thread, so Prometheus ingests that output.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { renderRuleFile } from '../../src/slo/rules.js';
import { parseLine } from '../bench/prom-text.js';
import { startTestAgent, type TestAgent } from '../helpers/agent.js';
import { haveOpenssl, makeTestCerts, type TestCerts } from '../helpers/certs.js';
import { eventually } from '../helpers/wait.js';
import { repoRoot } from '../helpers/paths.js';
import { prometheusBinary, startPrometheus, type PrometheusServer } from '../helpers/prometheus.js';
import { startHttpsServer, type HttpTestServer } from '../helpers/servers.js';

const RULES_DIR = join(repoRoot, 'deploy', 'prometheus', 'rules');
const DASHBOARD = join(repoRoot, 'deploy', 'grafana', 'canary-dashboard.json');
const CHECKS = ['lvl-basic', 'lvl-full'];

/** Dashboard panels that are not about checks, or that need events the test does not make. */
const NOT_PER_CHECK = new Set(['Agent heartbeat age', 'Chaos halted / active', 'Chaos runs by status']);

let certs: TestCerts | undefined;
let server: HttpTestServer | undefined;
let agent: TestAgent | undefined;
let prometheus: PrometheusServer | undefined;
let dir: string;

/** Every `expr` of the dashboard's panels, by panel title, variables filled for `check`. */
function dashboardQueries(check: string): { title: string; expr: string }[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    panels: { title: string; targets?: { expr: string }[] }[];
  };
  return dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((t) => ({
      title: panel.title,
      expr: t.expr.replaceAll('$region', '.*').replaceAll('$check', check).replaceAll('$__rate_interval', '1m'),
    })),
  );
}

/** Metric names (not recording rules, which have colons) that the shipped rules' expressions read. */
function metricsTheRulesRead(): Set<string> {
  const names = new Set<string>();
  for (const file of readdirSync(RULES_DIR)) {
    const { groups } = parse(readFileSync(join(RULES_DIR, file), 'utf8')) as {
      groups: { rules: { expr: string }[] }[];
    };
    for (const rule of groups.flatMap((g) => g.rules)) {
      for (const [name] of rule.expr.matchAll(/\b(?:probe|canary)_[a-z_]+\b/g))
        names.add(name.replace(/_(bucket|sum|count)$/, ''));
    }
  }
  return names;
}

before(async () => {
  if (!prometheusBinary() || !(await haveOpenssl())) return;
  dir = mkdtempSync(join(tmpdir(), 'canary-e2e-levels-'));
  certs = await makeTestCerts();
  server = await startHttpsServer({ cert: certs.localhost.cert, key: certs.localhost.key }, (_req, res) =>
    res.writeHead(200).end('ok'),
  );
  const check = (name: string, level: string) =>
    `  - { name: ${name}, kind: http, metrics: ${level}, target: "https://localhost:${server?.port}/", tls: { ca: "${certs?.ca.certPath}" }, slo: { objective: 99.5% } }`;
  agent = await startTestAgent(
    [
      'agent: { region: test }',
      'server: { listen: 127.0.0.1:0 }',
      // Scraped through the render thread here; the other Prometheus tests scrape renders made on the agent's thread.
      'exporters: { prometheus: { renderThread: true } }',
      'probes: { defaults: { interval: 500ms, timeout: 2s } }',
      'checks:',
      check('lvl-basic', 'basic'),
      check('lvl-full', 'full'),
    ].join('\n'),
  );
  const sloRules = join(dir, 'canary-slo.yml');
  writeFileSync(
    sloRules,
    renderRuleFile(
      CHECKS.map((name) => ({ name, objective: 0.995, windowMs: 30 * 86_400_000 })),
      'test',
    ),
  );
  const ruleFiles = [
    ...readdirSync(RULES_DIR)
      .filter((f) => f !== 'canary-slo.yml')
      .map((f) => join(RULES_DIR, f)),
    sloRules,
  ];
  const target = new URL(agent.url).host;
  prometheus = await startPrometheus([target], `rule_files: [${ruleFiles.map((f) => JSON.stringify(f)).join(', ')}]`);
});

after(async () => {
  await prometheus?.stop();
  await agent?.stop();
  await server?.close();
  await certs?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('every metric the shipped rules read is exported by a check at the basic level', async (t) => {
  if (!agent)
    return t.skip('prometheus or openssl not found (apt-get install prometheus openssl); .ci/run installs them');
  const running = agent;
  const body = await eventually(
    async () => {
      const { body: text } = await running.get('/metrics');
      return /^probe_ssl_earliest_cert_expiry\{check="lvl-basic"/m.test(text) ? text : undefined;
    },
    20_000,
    'a result of the basic check',
  );
  const exported = new Set<string>();
  for (const line of body.split('\n')) {
    const sample = parseLine(line);
    if (sample && (sample.labels.check === undefined || sample.labels.check === 'lvl-basic'))
      exported.add(sample.name.replace(/_(bucket|sum|count)$/, ''));
  }
  // Metrics that exist only once something happens (a chaos run, a reload) are agent-wide, not per check.
  const eventOnly = new Set(['canary_chaos_runs_total', 'canary_chaos_active']);
  const missing = [...metricsTheRulesRead()].filter((name) => !exported.has(name) && !eventOnly.has(name));
  assert.deepEqual(missing, [], `read by the rules but not exported at basic: ${missing.join(', ')}`);
});

test('the recording rules and every dashboard query about checks have data for a basic and a full check', async (t) => {
  if (!prometheus)
    return t.skip('prometheus or openssl not found (apt-get install prometheus openssl); .ci/run installs them');
  const prom = prometheus;
  for (const check of CHECKS) {
    for (const record of [
      'canary:probe_success:ratio_rate5m',
      'canary:check_down:bool',
      'canary:slo_errors:ratio_rate1h',
    ]) {
      await eventually(
        async () => ((await prom.query(`${record}{check="${check}"}`)).length > 0 ? true : undefined),
        60_000,
        `${record} for ${check}`,
      );
    }
    for (const { title, expr } of dashboardQueries(check)) {
      if (NOT_PER_CHECK.has(title)) continue;
      const result = await eventually(
        async () => {
          const vector = await prom.query(expr);
          return vector.length > 0 ? vector : undefined;
        },
        60_000,
        `panel "${title}" for ${check}: ${expr}`,
      );
      assert.ok(
        result.every((s) => s.metric.check === undefined || s.metric.check === check),
        `panel "${title}" answered for other checks`,
      );
    }
  }
});
