/** requireErrorBudget in the agent: a scheduled run starts only while the check's SLO budget is left. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JournalStore } from '../../src/chaos/state/journal.js';
import { sampleValue, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { startHttpServer, type HttpTestServer } from '../helpers/servers.js';
import { eventually } from '../helpers/wait.js';

/** An agent probing `service` under a 99% SLO, with an experiment that needs 25% of its budget. */
function gatedAgent(service: HttpTestServer, fault: HttpTestServer): Promise<TestAgent> {
  const experiment = [
    'name: gated',
    'blastRadius: { maxInstances: 1 }',
    'method:',
    `  - { action: http, method: POST, url: "${fault.origin}/fault", revert: { method: DELETE, url: "${fault.origin}/fault" } }`,
    'requireErrorBudget: { slo: api, min: 25% }',
    'schedule: { cron: "* * * * * *", minGap: 1h }',
  ].join('\n');
  const config = [
    'server: { listen: 127.0.0.1:0 }',
    'chaos: { enabled: true, files: ["*.chaos.yaml"], stateDir: state }',
    'checks:',
    `  - { name: api, kind: http, target: "${service.origin}/", interval: 100ms, timeout: 100ms, slo: { objective: 99%, window: 1d } }`,
  ].join('\n');
  return startTestAgent(config, {}, { files: { 'gated.chaos.yaml': experiment }, enableChaos: true });
}

const faults = (server: HttpTestServer) => server.requests.filter((r) => r.url === '/fault').length;

/** Runs `fn` with the gated agent whose checked service answers `status`; cleans up whatever started. */
async function withGatedAgent(
  status: number,
  fn: (agent: TestAgent, fault: HttpTestServer) => Promise<void>,
): Promise<void> {
  const service = await startHttpServer((_req, res) => res.writeHead(status).end());
  const fault = await startHttpServer((_req, res) => res.writeHead(200).end('ok'));
  let agent: TestAgent | undefined;
  try {
    agent = await gatedAgent(service, fault);
    await fn(agent, fault);
  } finally {
    await agent?.stop();
    await service.close();
    await fault.close();
  }
}

test('a scheduled experiment is skipped while the SLO error budget is below min, and the metrics say why', () =>
  withGatedAgent(503, async (agent, fault) => {
    const tooLow = (l: Record<string, unknown>) =>
      l.msg === 'scheduled chaos run skipped' && typeof l.why === 'string' && l.why.includes('too low: 0% left');
    await eventually(() => (agent.logs().some(tooLow) ? true : undefined), 10_000, 'a skip for the spent budget');
    const text = (await agent.get('/metrics')).body;
    assert.equal(sampleValue(text, 'canary_chaos_error_budget_remaining', { experiment: 'gated', slo: 'api' }), 0);
    const skipped = sampleValue(text, 'canary_chaos_runs_skipped_total', {
      experiment: 'gated',
      reason: 'error_budget',
    });
    assert.ok(skipped !== undefined && skipped >= 1, `skips counted: ${skipped}`);
    assert.equal(faults(fault), 0, 'no fault was injected');
    assert.deepEqual(await new JournalStore(agent.agent.config.chaos.stateDir).list(), []);
  }));

test('with the budget intact the same scheduled experiment runs', () =>
  withGatedAgent(200, async (agent, fault) => {
    const store = new JournalStore(agent.agent.config.chaos.stateDir);
    const journal = await eventually(
      async () => (await store.list()).find((j) => j.status === 'completed'),
      15_000,
      'a completed scheduled run',
    );
    assert.equal(journal.experiment, 'gated');
    assert.ok(faults(fault) >= 1, 'the fault was injected');
    const text = (await agent.get('/metrics')).body;
    assert.equal(sampleValue(text, 'canary_chaos_error_budget_remaining', { experiment: 'gated', slo: 'api' }), 1);
  }));

test('the run counters of every scheduled experiment exist at 0 before any run', async () => {
  const experiment = [
    'name: yearly',
    'blastRadius: { maxInstances: 1 }',
    'method: [ { pause: 1ms } ]',
    'schedule: { cron: "0 0 1 1 *" }',
  ].join('\n');
  const config = [
    'server: { listen: 127.0.0.1:0 }',
    'chaos: { enabled: true, files: ["*.chaos.yaml"], stateDir: state }',
    'checks: []',
  ].join('\n');
  const agent = await startTestAgent(config, {}, { files: { 'yearly.chaos.yaml': experiment }, enableChaos: true });
  try {
    const metrics = await eventually(
      async () => {
        const body = (await agent.get('/metrics')).body;
        return body.includes('canary_chaos_runs_total{') ? body : undefined;
      },
      10_000,
      'the chaos run counters',
    );
    for (const status of ['completed', 'deviated', 'aborted', 'interrupted', 'failed'])
      assert.equal(sampleValue(metrics, 'canary_chaos_runs_total', { experiment: 'yearly', status }), 0, status);
    assert.equal(sampleValue(metrics, 'canary_chaos_active', { experiment: 'yearly' }), 0);
  } finally {
    await agent.stop();
  }
});
