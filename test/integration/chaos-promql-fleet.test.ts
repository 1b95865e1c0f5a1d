/**
 * The fleet judges a run: a real Prometheus scrapes two agents of different regions that
 * probe the same service, each by its own route. The method makes the service fail on
 * the route only the other region's agent uses; the runner, beside the healthy agent,
 * sees nothing wrong in its own results, yet the PromQL abortWhen over both regions
 * trips, the run aborts, and the journal says which query and which series.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadExperiment } from '../../src/chaos/load.js';
import { ExperimentRun } from '../../src/chaos/runner.js';
import { createLogger } from '../../src/log.js';
import { startTestAgent, type TestAgent } from '../helpers/agent.js';
import { prometheusBinary, startPrometheus, type PrometheusServer } from '../helpers/prometheus.js';
import { startHttpServer, type HttpTestServer } from '../helpers/servers.js';
import { eventually } from '../helpers/wait.js';

const skip = prometheusBinary() ? false : 'prometheus is not installed (Debian package prometheus)';

let service: HttpTestServer | undefined;
const agents: TestAgent[] = [];
let prometheus: PrometheusServer | undefined;
let dir: string;
/** The route the us-east-1 agent probes fails while this is set (the fault of the method). */
let usRouteDown = false;

function agentYaml(region: string, path: string, stateDir: string): string {
  return [
    `agent: { region: ${region} }`,
    'server: { listen: "127.0.0.1:0" }',
    `chaos: { enabled: true, stateDir: "${stateDir}" }`,
    'checks:',
    `  - { name: web, kind: http, target: "${service?.origin}${path}", interval: 500ms, timeout: 400ms }`,
  ].join('\n');
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'canary-promql-fleet-'));
  service = await startHttpServer((req, res) => {
    if (req.url === '/fault') {
      usRouteDown = req.method === 'POST';
      res.writeHead(200).end('ok');
    } else if (req.url === '/via-us' && usRouteDown) res.writeHead(503).end('down');
    else res.writeHead(200).end('ok');
  });
  agents.push(await startTestAgent(agentYaml('eu-west-1', '/via-eu', join(dir, 'eu'))));
  agents.push(await startTestAgent(agentYaml('us-east-1', '/via-us', join(dir, 'us'))));
  prometheus = await startPrometheus(agents.map((a) => new URL(a.url).host));
});

after(async () => {
  await prometheus?.stop();
  for (const agent of agents) await agent.stop();
  await service?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const FLEET = 'avg by (check)(probe_success{check="web"})';

test(
  'a failure seen only by the other region trips the PromQL abortWhen; the journal names the query',
  { skip },
  async () => {
    const prom = prometheus as PrometheusServer;
    // Both regions scraped and healthy: the fleet view has both behind one series.
    await eventually(
      async () =>
        (await prom.query(`count by (check)(probe_success{check="web"} == 1)`))[0]?.value[1] === '2' ? true : undefined,
      30_000,
      'both regions up in Prometheus',
    );
    const file = join(dir, 'fleet.yaml');
    writeFileSync(
      file,
      [
        'name: fleet-abort',
        'blastRadius: { maxInstances: 1 }',
        'steadyState:',
        `  - { promql: '${FLEET}', expect: '== 1', every: 1s }`,
        'abortWhen:',
        `  - { promql: '${FLEET} < 1', every: 1s }`,
        'method:',
        `  - { action: http, method: POST, url: "${service?.origin}/fault", revert: { method: DELETE, url: "${service?.origin}/fault" } }`,
        '  - { pause: 30s }',
        'maxDuration: 60s',
        'recoveryTimeout: 30s',
      ].join('\n'),
    );
    const eu = agents[0] as TestAgent;
    const experiment = await loadExperiment(file, eu.agent.config, { env: {} });
    const journal = await new ExperimentRun(experiment, {
      stateDir: join(dir, 'eu'),
      windows: eu.agent.windows,
      bus: eu.agent.bus,
      logger: createLogger({ level: 'silent' }),
      operator: 'test',
      warmupTimeoutMs: 5_000,
      prometheus: prom.url,
    }).run();

    assert.equal(journal.status, 'aborted', journal.reason);
    assert.equal(journal.reason, `abortWhen met for promql: ${FLEET} < 1`);
    const tripped = journal.steadyState.aborted?.entries[0];
    assert.deepEqual(tripped?.observed, ['{check="web"} 0.5']);
    // The eu agent's own results never failed: only the fleet's view could see it.
    assert.equal(eu.agent.windows.stats('web', 60_000, Date.now())?.successRatio, 1);
    assert.equal(journal.steadyState.before?.holds, true);
    // Reverted, the fleet is whole again: the PromQL steady state after holds.
    assert.equal(usRouteDown, false);
    assert.equal(journal.steadyState.after?.holds, true, JSON.stringify(journal.steadyState.after));
  },
);

test('with Prometheus unreachable the steady state does not hold, and the journal says why', { skip }, async () => {
  const file = join(dir, 'blind.yaml');
  writeFileSync(
    file,
    [
      'name: fleet-blind',
      'blastRadius: { maxInstances: 1 }',
      'steadyState:',
      `  - { promql: '${FLEET}', expect: '== 1' }`,
      'method:',
      `  - { action: http, method: POST, url: "${service?.origin}/fault", revert: { method: DELETE, url: "${service?.origin}/fault" } }`,
    ].join('\n'),
  );
  const eu = agents[0] as TestAgent;
  const experiment = await loadExperiment(file, eu.agent.config, { env: {} });
  const closed = await startHttpServer((_req, res) =>
    res.writeHead(503).end('{"status":"error","error":"unavailable"}'),
  );
  await closed.close();
  const journal = await new ExperimentRun(experiment, {
    stateDir: join(dir, 'eu'),
    windows: eu.agent.windows,
    bus: eu.agent.bus,
    logger: createLogger({ level: 'silent' }),
    operator: 'test',
    warmupTimeoutMs: 5_000,
    prometheus: closed.origin,
  }).run();
  assert.equal(journal.status, 'failed');
  assert.equal(journal.steps.length, 0);
  const entry = journal.steadyState.before?.entries[0];
  assert.equal(entry?.holds, false);
  assert.match(entry?.failed[0] ?? '', /^prometheus: /);
});

test('PromQL abort conditions and no Prometheus named: the run does not start', { skip }, async () => {
  const file = join(dir, 'unwatched.yaml');
  writeFileSync(
    file,
    [
      'name: fleet-unwatched',
      'blastRadius: { maxInstances: 1 }',
      'abortWhen:',
      `  - { promql: '${FLEET} < 1' }`,
      'method:',
      `  - { action: http, method: POST, url: "${service?.origin}/fault", revert: { method: DELETE, url: "${service?.origin}/fault" } }`,
    ].join('\n'),
  );
  const eu = agents[0] as TestAgent;
  const experiment = await loadExperiment(file, eu.agent.config, { env: {} });
  const journal = await new ExperimentRun(experiment, {
    stateDir: join(dir, 'eu'),
    windows: eu.agent.windows,
    bus: eu.agent.bus,
    logger: createLogger({ level: 'silent' }),
    operator: 'test',
    warmupTimeoutMs: 5_000,
  }).run();
  assert.equal(journal.status, 'failed');
  assert.equal(journal.steps.length, 0);
  assert.match(journal.steadyState.before?.entries[0]?.failed[0] ?? '', /^no Prometheus to ask/);
});

test('a PromQL abort condition whose Prometheus cannot be asked trips: no fault goes on blind', { skip }, async () => {
  const file = join(dir, 'blind-abort.yaml');
  writeFileSync(
    file,
    [
      'name: fleet-blind-abort',
      'blastRadius: { maxInstances: 1 }',
      'abortWhen:',
      `  - { promql: '${FLEET} < 1', every: 1s }`,
      'method:',
      '  - { pause: 2s }',
    ].join('\n'),
  );
  const eu = agents[0] as TestAgent;
  const experiment = await loadExperiment(file, eu.agent.config, { env: {} });
  const gone = await startHttpServer((_req, res) => res.writeHead(200).end());
  await gone.close();
  const journal = await new ExperimentRun(experiment, {
    stateDir: join(dir, 'eu'),
    windows: eu.agent.windows,
    bus: eu.agent.bus,
    logger: createLogger({ level: 'silent' }),
    operator: 'test',
    warmupTimeoutMs: 5_000,
    prometheus: gone.origin,
  }).run();
  assert.equal(journal.status, 'aborted');
  assert.match(journal.reason ?? '', /^abortWhen cannot be judged: promql: .* \(prometheus: /);
  const entry = journal.steadyState.aborted?.entries[0];
  assert.equal(entry?.judgeable, false);
  assert.equal(entry?.blind, true);
  assert.match(entry?.failed[0] ?? '', /^prometheus: /);
});
