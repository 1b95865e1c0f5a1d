/**
 * requireErrorBudget judged by a real Prometheus: with `chaos.prometheus` set, the agent's
 * scheduler asks it for the remaining budget of the check's SLO, skips the run whose
 * budget is spent and runs the one whose budget is whole; the gauge and the skip counter
 * show it. A Prometheus that cannot answer leaves the budget unknown: skipped too; one slow
 * to answer does not let later ticks pile up queries (or runs) behind the first.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { budgetSkipReason, sloChecks } from '../../src/chaos/budget.js';
import { loadExperiment } from '../../src/chaos/load.js';
import { promqlBudgetSource } from '../../src/chaos/promql/budget.js';
import { JournalStore } from '../../src/chaos/state/journal.js';
import { EventBus } from '../../src/results/bus.js';
import { sampleValue, startTestAgent, type TestAgent } from '../helpers/agent.js';
import { budgetChecks, gatedExperiment, startBudgetFleet, type BudgetFleet } from '../helpers/budget-fleet.js';
import { prometheusBinary } from '../helpers/prometheus.js';
import { startHttpServer } from '../helpers/servers.js';
import { eventually } from '../helpers/wait.js';

const skip = prometheusBinary() ? false : 'prometheus is not installed (Debian package prometheus)';
const EVERY_SECOND = 'schedule: { cron: "* * * * * *", minGap: 1h }';

let fleet: BudgetFleet | undefined;

before(async () => {
  if (skip) return;
  fleet = await startBudgetFleet(
    (prometheus) => `{ enabled: true, prometheus: "${prometheus}", files: ["*.chaos.yaml"], stateDir: state }`,
    {
      enableChaos: true,
      files: (fault) => ({
        'on-low.chaos.yaml': gatedExperiment('on-low', 'low', fault, EVERY_SECOND),
        'on-high.chaos.yaml': gatedExperiment('on-high', 'high', fault, EVERY_SECOND),
      }),
    },
  );
});

after(async () => {
  await fleet?.close();
});

test('the scheduler skips the run whose budget Prometheus says is spent and runs the other', { skip }, async () => {
  const { agent } = fleet as BudgetFleet;
  const store = new JournalStore(agent.agent.config.chaos.stateDir);
  const journal = await eventually(
    async () => (await store.list()).find((j) => j.status === 'completed'),
    30_000,
    'a completed scheduled run',
  );
  assert.equal(journal.experiment, 'on-high');
  assert.ok((fleet as BudgetFleet).faults('/fault-high') >= 1, 'the fault of on-high was injected');

  const spent = (l: Record<string, unknown>) =>
    l.msg === 'scheduled chaos run skipped' &&
    l.experiment === 'on-low' &&
    String(l.why).includes('error budget of "low" too low: 0% left (Prometheus), requireErrorBudget.min is 25%');
  await eventually(() => (agent.logs().some(spent) ? true : undefined), 10_000, 'a skip of on-low for its budget');
  assert.equal((fleet as BudgetFleet).faults('/fault-low'), 0, 'on-low touched nothing');
  assert.ok((await store.list()).every((j) => j.experiment === 'on-high'));

  const text = (await agent.get('/metrics')).body;
  assert.equal(sampleValue(text, 'canary_chaos_error_budget_remaining', { experiment: 'on-low', slo: 'low' }), 0);
  const high = sampleValue(text, 'canary_chaos_error_budget_remaining', { experiment: 'on-high', slo: 'high' });
  assert.ok(high !== undefined && high >= 0.25, `on-high's budget: ${high}`);
  const skipped = sampleValue(text, 'canary_chaos_runs_skipped_total', {
    experiment: 'on-low',
    reason: 'error_budget',
  });
  assert.ok(skipped !== undefined && skipped >= 1, `skips counted: ${skipped}`);
});

test('a Prometheus that cannot answer leaves the budget unknown, and the tick is skipped', { skip }, async () => {
  const { agent } = fleet as BudgetFleet;
  const gone = await startHttpServer((_req, res) => res.writeHead(503).end());
  await gone.close();
  const config = agent.agent.config;
  const experiment = await loadExperiment(join(dirname(config.file), 'on-high.chaos.yaml'), config, { env: {} });
  const bus = new EventBus();
  const budgets: number[] = [];
  const skips: string[] = [];
  bus.on('chaos.budget', (e) => budgets.push(e.remaining));
  bus.on('chaos.run.skipped', (e) => skips.push(e.reason));
  const source = promqlBudgetSource(gone.origin, sloChecks(config));
  const why = await budgetSkipReason(experiment, source, bus);
  assert.match(why ?? '', /^error budget of "high" is unknown \(Prometheus\): prometheus: /);
  assert.deepEqual(budgets, [], 'no figure for the gauge');
  assert.deepEqual(skips, ['error_budget']);
  // The same experiment, asked of the real Prometheus, may run.
  const live = promqlBudgetSource((fleet as BudgetFleet).prometheus.url, sloChecks(config));
  assert.equal(await budgetSkipReason(experiment, live, bus), undefined);
});

test('while Prometheus is slow to answer, later ticks of the experiment wait instead of asking again', async () => {
  const held: (() => void)[] = [];
  const slow = await startHttpServer((_req, res) => {
    held.push(() => res.writeHead(503).end('{"status":"error","error":"overloaded"}'));
  });
  const service = await startHttpServer((_req, res) => res.writeHead(200).end());
  const fault = await startHttpServer((_req, res) => res.writeHead(200).end('ok'));
  let agent: TestAgent | undefined;
  try {
    agent = await startTestAgent(
      [
        'server: { listen: 127.0.0.1:0 }',
        `chaos: { enabled: true, prometheus: "${slow.origin}", files: ["*.chaos.yaml"], stateDir: state }`,
        'checks:',
        `  - ${budgetChecks(service.origin)[1]}`,
      ].join('\n'),
      {},
      { enableChaos: true, files: { 'on-high.chaos.yaml': gatedExperiment('on-high', 'high', fault, EVERY_SECOND) } },
    );
    const running = agent;
    const log = () => running.logs();
    const waited = (l: Record<string, unknown>) =>
      l.msg === 'scheduled chaos run skipped: its previous tick is still being judged';
    await eventually(() => (log().some(waited) ? true : undefined), 10_000, 'a tick that waited');
    // One tick's two queries (budget and freshness), however many ticks came since.
    assert.equal(slow.requests.length, 2);
    for (const release of held.splice(0)) release();
    const unknown = (l: Record<string, unknown>) =>
      l.msg === 'scheduled chaos run skipped' &&
      String(l.why).includes('is unknown (Prometheus): prometheus: HTTP 503');
    await eventually(() => (log().some(unknown) ? true : undefined), 10_000, 'the tick skipped on the unknown budget');
    assert.equal(fault.requests.length, 0, 'nothing was touched');
  } finally {
    for (const release of held.splice(0)) release();
    await agent?.stop();
    for (const server of [slow, service, fault]) await server.close();
  }
});
