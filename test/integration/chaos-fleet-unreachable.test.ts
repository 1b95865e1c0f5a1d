/**
 * `chaos.onUnreachable`: an Alertmanager that cannot be asked refuses new runs or lets them
 * go on, and stops a running one or lets it go on, as configured.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/log.js';
import { fleetHaltReason, watchFleetHalt } from '../../src/chaos/fleet/halt.js';
import { closedPort } from '../helpers/servers.js';

const run = { experiment: 'kill-one', region: 'eu-west-1', target: 'backends' };

test('a new run: refused under halt, allowed under continue', async () => {
  const url = `http://127.0.0.1:${await closedPort()}`;
  assert.match(
    (await fleetHaltReason(url, run, 'halt')) ?? '',
    /^the fleet halt cannot be checked \(onUnreachable\.start: halt\): Alertmanager at http:\/\/127\.0\.0\.1:\d+ is unreachable/,
  );
  assert.equal(await fleetHaltReason(url, run, 'continue'), undefined);
});

test('a running run: stopped under halt, not under continue', async () => {
  const url = `http://127.0.0.1:${await closedPort()}`;
  const logger = createLogger({ level: 'silent' });
  const reason = await new Promise<string>((resolve) => {
    watchFleetHalt({ alertmanager: url, labels: run, onUnreachable: 'halt', logger }, resolve);
  });
  assert.match(reason, /onUnreachable\.running: halt/);
  let stopped = false;
  const close = watchFleetHalt({ alertmanager: url, labels: run, onUnreachable: 'continue', logger }, () => {
    stopped = true;
  });
  // Three polls' worth of refused connections, none of which stops it.
  await new Promise((r) => setTimeout(r, 3_000));
  close();
  assert.equal(stopped, false);
});
