/**
 * The scheduler says which checks it has armed (`checks.scheduled`), so the Prometheus
 * sink can export their run counters at 0 before a first run: every check at start, only
 * the added and changed ones on update, nothing before start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scheduler } from '../../src/scheduler/index.js';
import { EventBus } from '../../src/results/bus.js';
import { RUN_DEADLINE } from '../../src/run/budget.js';
import type { ResolvedCheck } from '../../src/config/types.js';
import { makeHttpCheck } from '../helpers/checks.js';
import { stopNow, useClock } from '../helpers/clock.js';

function check(name: string, target = 'http://127.0.0.1:9/'): ResolvedCheck {
  return makeHttpCheck({ name, target }, { everyMs: 3_600_000, timeoutMs: 1_000 });
}

test('checks.scheduled: all checks at start, the added and changed ones on update, none before start', async (t) => {
  useClock(t);
  const bus = new EventBus();
  const announced: string[][] = [];
  bus.on('checks.scheduled', ({ checks }) => announced.push(checks.map((c) => `${c.name}/${c.kind}`).sort()));
  const scheduler = new Scheduler([check('a'), check('b')], {
    concurrency: 4,
    bus,
    deadline: RUN_DEADLINE,
    run: () => Promise.resolve(),
  });
  scheduler.update([check('a'), check('b'), check('c')]);
  assert.equal(announced.length, 0, 'an update before start arms nothing');

  scheduler.start();
  assert.deepEqual(announced, [['a/http', 'b/http', 'c/http']]);

  const summary = scheduler.update([check('a'), check('b', 'http://127.0.0.1:10/'), check('d')]);
  assert.deepEqual(summary.removed, ['c']);
  assert.deepEqual(announced[1], ['b/http', 'd/http'], 'the changed and the added; not the unchanged');
  scheduler.update([check('a'), check('b', 'http://127.0.0.1:10/'), check('d')]);
  assert.equal(announced.length, 2, 'an update that changes nothing announces nothing');
  await stopNow(t, scheduler);
});
