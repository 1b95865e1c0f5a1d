/**
 * The agent's SLO series (canary_slo_objective_ratio, canary_slo_window_seconds) and its
 * heartbeat (canary_agent_heartbeat_timestamp_seconds).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry, type OpenMetricsContentType } from 'prom-client';
import { PrometheusSink } from '../../src/exporters/prometheus.js';
import { Heartbeat } from '../../src/exporters/prometheus/heartbeat.js';
import { EventBus } from '../../src/results/bus.js';

const DAY = 86_400_000;

function sink(): PrometheusSink {
  return new PrometheusSink({
    bus: new EventBus(),
    region: 'eu-west-1',
    agentLabels: { team: 'sre' },
    version: '1.2.3',
    checks: [
      { name: 'api', kind: 'http', enabled: true, slo: { objective: 0.999, window: 30 * DAY } },
      { name: 'db', kind: 'tcp', enabled: true, slo: { objective: 0.99, window: 7 * DAY } },
      { name: 'off', kind: 'http', enabled: false, slo: { objective: 0.9, window: DAY } },
      { name: 'web', kind: 'http', enabled: true },
    ],
  });
}

function lines(body: string, metric: string): string[] {
  return body.split('\n').filter((l) => l.startsWith(`${metric}{`));
}

test('one objective and one window series per enabled check with an slo', async () => {
  const s = sink();
  const { body } = await s.metrics();
  assert.deepEqual(lines(body, 'canary_slo_objective_ratio'), [
    'canary_slo_objective_ratio{check="api",kind="http",region="eu-west-1",team="sre"} 0.999',
    'canary_slo_objective_ratio{check="db",kind="tcp",region="eu-west-1",team="sre"} 0.99',
  ]);
  assert.deepEqual(lines(body, 'canary_slo_window_seconds'), [
    'canary_slo_window_seconds{check="api",kind="http",region="eu-west-1",team="sre"} 2592000',
    'canary_slo_window_seconds{check="db",kind="tcp",region="eu-west-1",team="sre"} 604800',
  ]);
});

test('a reload replaces the SLO series: a removed slo leaves no series behind', async () => {
  const s = sink();
  s.setChecks([
    { name: 'api', kind: 'http', enabled: true, slo: { objective: 0.995, window: 28 * DAY } },
    { name: 'db', kind: 'tcp', enabled: true },
  ]);
  const { body } = await s.metrics();
  assert.deepEqual(lines(body, 'canary_slo_objective_ratio'), [
    'canary_slo_objective_ratio{check="api",kind="http",region="eu-west-1",team="sre"} 0.995',
  ]);
  assert.deepEqual(lines(body, 'canary_slo_window_seconds'), [
    'canary_slo_window_seconds{check="api",kind="http",region="eu-west-1",team="sre"} 2419200',
  ]);
});

test('the heartbeat stamps at start and every interval, and stops on stop', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const registry = new Registry<OpenMetricsContentType>();
  let now = 1_700_000_000_000;
  const heartbeat = new Heartbeat(registry, { intervalMs: 20, now: () => now });
  t.after(() => heartbeat.stop());
  const value = async () =>
    (await registry.getSingleMetric('canary_agent_heartbeat_timestamp_seconds')?.get())?.values[0]?.value;
  assert.equal(await value(), undefined, 'no heartbeat before start');
  heartbeat.start();
  assert.equal(await value(), 1_700_000_000);
  now += 15_000;
  t.mock.timers.tick(19);
  assert.equal(await value(), 1_700_000_000, 'no stamp before the interval');
  t.mock.timers.tick(1);
  assert.equal(await value(), 1_700_000_015);
  heartbeat.stop();
  assert.equal(heartbeat.running, false);
  now += 15_000;
  t.mock.timers.tick(100);
  assert.equal(await value(), 1_700_000_015, 'no stamp after stop; the last value stays');
});
