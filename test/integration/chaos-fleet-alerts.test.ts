/**
 * On-call sees every run: the shipped Alertmanager config is valid and routes the run's
 * alert to the chaos receiver and the Watchdog to the dead man's switch; against a real
 * Alertmanager, a run's alert fires while it runs and resolves when it ends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/log.js';
import { ACTIVE_ALERT } from '../../src/chaos/fleet/alertmanager.js';
import { keepActiveAlert } from '../../src/chaos/fleet/active-alert.js';
import {
  activeAlertsOf,
  alertmanagerBinary,
  NO_ALERTMANAGER,
  startAlertmanager,
  startWebhook,
} from '../helpers/alertmanager.js';
import { deployedAlertmanagerConfig, testAlertmanagerConfig } from '../helpers/alertmanager-config.js';
import { findTool, runTool } from '../helpers/promtool.js';
import { eventually } from '../helpers/wait.js';

const amtool = findTool('amtool');

test('amtool accepts deploy/alertmanager/alertmanager.yml and routes the chaos and Watchdog alerts', async (t) => {
  if (!amtool) return t.skip('amtool not found in PATH (apt-get install prometheus-alertmanager)');
  const check = await runTool(amtool, ['check-config', deployedAlertmanagerConfig], '');
  assert.equal(check.code, 0, check.stdout + check.stderr);
  const route = async (labels: string[]) =>
    (
      await runTool(amtool, ['config', 'routes', 'test', `--config.file=${deployedAlertmanagerConfig}`, ...labels], '')
    ).stdout.trim();
  assert.equal(await route([`alertname=${ACTIVE_ALERT}`, 'experiment=x', 'region=eu']), 'chaos');
  assert.equal(await route(['alertname=CanaryChaosHalt']), 'chaos');
  assert.equal(await route(['alertname=Watchdog']), 'deadmansswitch');
  assert.equal(await route(['alertname=ProbeDown']), 'default');
});

test('a run shows as a firing alert in Alertmanager, and its end as the resolved notification', async (t) => {
  if (!alertmanagerBinary()) return t.skip(NO_ALERTMANAGER);
  const webhook = await startWebhook();
  const am = await startAlertmanager(testAlertmanagerConfig(`${webhook.origin}/chaos`));
  try {
    const labels = {
      alertname: ACTIVE_ALERT,
      experiment: 'kill-one',
      region: 'eu-west-1',
      operator: 'alice',
      target: 'backends',
      run: 'kill-one-1',
    };
    const keeper = keepActiveAlert({ alertmanager: am.url, labels }, createLogger({ level: 'silent' }), 200);
    const firing = await eventually(
      () => webhook.notifications().find((n) => n.status === 'firing'),
      20_000,
      'the firing notification',
    );
    assert.equal(firing.receiver, 'chaos');
    assert.deepEqual(firing.alerts[0]?.labels, labels);
    // Renewed past its first lease (3 refreshes): still the one active alert.
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal((await activeAlertsOf(am.url, ACTIVE_ALERT)).length, 1);
    await keeper.stop();
    // Resolved by the stop itself, not by its lease lapsing later.
    assert.equal((await activeAlertsOf(am.url, ACTIVE_ALERT)).length, 0);
    const resolved = await eventually(
      () => webhook.notifications().find((n) => n.status === 'resolved'),
      20_000,
      'the resolved notification',
    );
    assert.deepEqual(resolved.alerts[0]?.labels, labels);
  } finally {
    await am.stop();
    await webhook.close();
  }
});
