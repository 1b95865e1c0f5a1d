import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliProcess } from '../helpers/cli.js';
import { eventually } from '../helpers/wait.js';
import { prometheusBinary, startPrometheus } from '../helpers/prometheus.js';
import { closedPort, startHttpServer, type HttpTestServer } from '../helpers/servers.js';

let target: HttpTestServer;
let dir: string;

before(async () => {
  target = await startHttpServer((req, res) => {
    if (req.url === '/broken') res.writeHead(503).end('down');
    else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  dir = mkdtempSync(join(tmpdir(), 'canary-e2e-probe-'));
});
after(async () => {
  await target.close();
  rmSync(dir, { recursive: true, force: true });
});

/** blackbox_exporter's documented scrape config, pointed at the agent instead of blackbox. */
function blackboxJob(agentHost: string, targets: readonly string[]): string {
  return [
    '  - job_name: blackbox',
    '    metrics_path: /probe',
    '    params: { module: [http_2xx] }',
    `    static_configs: [ { targets: [${targets.map((t) => JSON.stringify(t)).join(', ')}] } ]`,
    '    relabel_configs:',
    '      - { source_labels: [__address__], target_label: __param_target }',
    '      - { source_labels: [__param_target], target_label: instance }',
    `      - { target_label: __address__, replacement: "${agentHost}" }`,
  ].join('\n');
}

test('Prometheus drives probes through /probe with the blackbox relabel config', async (t) => {
  if (!prometheusBinary()) {
    t.skip('prometheus not found in PATH (apt-get install prometheus); .ci/run installs it');
    return;
  }
  const config = join(dir, 'agent.yaml');
  writeFileSync(
    config,
    ['server: { listen: 127.0.0.1:0 }', 'modules:', '  http_2xx: { prober: http, timeout: 5s }'].join('\n'),
  );
  const agent = new CliProcess(['run', '--config', config]);
  t.after(() => agent.kill());
  const agentHost = new URL(await agent.url()).host;

  const healthy = `${target.origin}/`;
  const failing = [`${target.origin}/broken`, `http://127.0.0.1:${await closedPort()}/`];
  const prometheus = await startPrometheus([agentHost], blackboxJob(agentHost, [healthy, ...failing]));
  t.after(() => prometheus.stop());

  const value = (instance: string) =>
    eventually(
      async () =>
        (await prometheus.query(`probe_success{job="blackbox",instance=${JSON.stringify(instance)}}`))[0]?.value[1],
      30_000,
      `probe_success for ${instance}`,
    );
  assert.equal(await value(healthy), '1');
  for (const instance of failing) assert.equal(await value(instance), '0', instance);

  const status = await prometheus.query(`probe_http_status_code{job="blackbox",instance="${target.origin}/broken"}`);
  assert.equal(status[0]?.value[1], '503');
  const up = await prometheus.query('up{job="blackbox"}');
  assert.equal(up.length, 3);
  assert.ok(
    up.every((s) => s.value[1] === '1'),
    'a failing probe is still a successful scrape',
  );
  const series = await prometheus.query('probe_success{job="blackbox"}');
  assert.ok(
    series.every((s) => s.metric.check === undefined && s.metric.kind === undefined),
    'no check or kind labels, as blackbox',
  );
  // The agent counts the scrapes on its own /metrics, which the canary job scrapes.
  const counted = await eventually(
    async () =>
      (await prometheus.query('canary_probe_requests_total{job="canary",module="http_2xx",result="failure"} > 0'))[0],
    30_000,
    'canary_probe_requests_total on the agent',
  );
  assert.ok(Number(counted.value[1]) > 0);
});
