/**
 * One verdict across regions, end to end: three agents (`canary run`, regions eu, us and
 * ap) probe two loopback targets, a real Prometheus scrapes them and evaluates the shipped
 * rules (deploy/prometheus/rules/canary-sli.yml and canary-regions.yml), and the test
 * reads the alerts from Prometheus's API.
 *
 * - `t-broken` answers 500 to everyone: down in 3 of 3 regions, CanaryCheckDownQuorum.
 * - `t-partial` is healthy, but region ap reaches it only through a fault proxy answering
 *   503: down in 1 of 3, CanaryCheckDownOneRegion with region="ap".
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ProxyRegistry } from '../../src/proxy/registry.js';
import { CliProcess } from '../helpers/cli.js';
import { eventually } from '../helpers/wait.js';
import { repoRoot } from '../helpers/paths.js';
import { prometheusBinary, startPrometheus } from '../helpers/prometheus.js';
import { startHttpServer, type HttpTestServer } from '../helpers/servers.js';

const RULES = ['canary-sli.yml', 'canary-regions.yml'].map((f) =>
  resolve(repoRoot, 'deploy', 'prometheus', 'rules', f),
);
/** `for: 1m` on both alerts, plus agent start, first scrapes and evaluation: well inside this. */
const FIRING_WITHIN_MS = 120_000;

/** One alert as `/api/v1/alerts` lists it. */
interface ApiAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
}

let broken: HttpTestServer;
let healthy: HttpTestServer;
let faults: ProxyRegistry;
let dir: string;

before(async () => {
  broken = await startHttpServer((_req, res) => res.writeHead(500).end('broken'));
  healthy = await startHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  faults = new ProxyRegistry({});
  dir = mkdtempSync(join(tmpdir(), 'canary-e2e-regions-'));
});
after(async () => {
  await faults.close();
  await broken.close();
  await healthy.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The config of the agent of `region`, probing both targets every second. */
function agentConfig(region: string, partialTarget: string): string {
  const file = join(dir, `agent-${region}.yaml`);
  writeFileSync(
    file,
    [
      `agent: { region: ${region} }`,
      'server: { listen: 127.0.0.1:0 }',
      'probes: { defaults: { interval: 1s, timeout: 500ms } }',
      'checks:',
      `  - { name: t-broken, kind: http, target: "${broken.origin}/" }`,
      `  - { name: t-partial, kind: http, target: "${partialTarget}" }`,
    ].join('\n'),
  );
  return file;
}

/** The region alerts Prometheus has now, as "state alertname check region" lines, sorted. */
async function regionAlerts(url: string): Promise<{ lines: string[]; alerts: ApiAlert[] }> {
  const body = (await (await fetch(`${url}/api/v1/alerts`)).json()) as { data: { alerts: ApiAlert[] } };
  const alerts = body.data.alerts.filter((a) => a.labels.alertname?.startsWith('CanaryCheckDown'));
  const lines = alerts
    .map((a) => [a.state, a.labels.alertname, a.labels.check, a.labels.region ?? '-'].join(' '))
    .sort();
  return { lines, alerts };
}

test('down in every region is a quorum; down through one region only is a one-region warning', async (t) => {
  if (!prometheusBinary()) {
    t.skip('prometheus not found in PATH (apt-get install prometheus); .ci/run installs it');
    return;
  }
  // Region ap's network path to t-partial: a proxy that answers 503 itself.
  const proxy = await faults.create({ name: 'ap-path', listen: '127.0.0.1:0', upstream: `127.0.0.1:${healthy.port}` });
  proxy.toxics.add({ type: 'http_status', stream: 'upstream', attributes: { status: 503 } });
  assert.equal((await fetch(`http://${proxy.listen}/`)).status, 503, 'the fault proxy answers 503');
  assert.equal((await fetch(`${healthy.origin}/`)).status, 200, 't-partial itself is healthy');

  const regions: Record<string, string> = {
    eu: `${healthy.origin}/`,
    us: `${healthy.origin}/`,
    ap: `http://${proxy.listen}/`,
  };
  const agents = Object.entries(regions).map(
    ([region, partial]) => new CliProcess(['run', '--config', agentConfig(region, partial)]),
  );
  t.after(() => Promise.all(agents.map((a) => a.kill())));
  const hosts = await Promise.all(agents.map(async (a) => new URL(await a.url()).host));

  const prometheus = await startPrometheus(hosts, `rule_files: [${RULES.map((r) => JSON.stringify(r)).join(', ')}]`);
  t.after(() => prometheus.stop());

  // Both alerts firing; until then print what Prometheus has, should it time out.
  let seen: string[] = [];
  const expected = ['firing CanaryCheckDownOneRegion t-partial ap', 'firing CanaryCheckDownQuorum t-broken -'];
  const { alerts } = await eventually(
    async () => {
      const now = await regionAlerts(prometheus.url);
      seen = now.lines;
      const firing = now.lines.filter((l) => l.startsWith('firing'));
      return expected.every((e) => firing.includes(e)) ? now : undefined;
    },
    FIRING_WITHIN_MS,
    'CanaryCheckDownQuorum for t-broken and CanaryCheckDownOneRegion for t-partial',
  ).catch((err: Error) => {
    throw new Error(`${err.message}; alerts seen last: ${JSON.stringify(seen)}`);
  });

  // Nothing else: no quorum for t-partial, no one-region warning for t-broken, not even pending.
  assert.deepEqual(seen, expected);
  const quorum = alerts.find((a) => a.labels.alertname === 'CanaryCheckDownQuorum');
  const oneRegion = alerts.find((a) => a.labels.alertname === 'CanaryCheckDownOneRegion');
  assert.equal(quorum?.labels.severity, 'critical');
  assert.match(quorum?.annotations.description ?? '', /failed from 3 of 3 regions probing it \(down: ap, eu, us\)/);
  assert.equal(oneRegion?.labels.severity, 'warning');
  assert.match(oneRegion?.annotations.description ?? '', /failed from region ap .* \(1 of 3 down\)/);
  assert.match(oneRegion?.annotations.runbook_url ?? '', /\/deploy\/runbooks\/CanaryCheckDownOneRegion\.md$/);

  // The recordings agree: t-partial is down in ap only, t-broken everywhere.
  const down = await prometheus.query('canary:check_down:bool == 1');
  assert.deepEqual(down.map((s) => `${s.metric.check} ${s.metric.region}`).sort(), [
    't-broken ap',
    't-broken eu',
    't-broken us',
    't-partial ap',
  ]);
  const counts = await prometheus.query('canary:check_regions:count');
  assert.deepEqual(counts.map((s) => `${s.metric.check} ${s.value[1]}`).sort(), ['t-broken 3', 't-partial 3']);
});
