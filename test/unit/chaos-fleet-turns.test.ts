/**
 * `schedule.fleet`: every agent computes the same turns from the same config, and a fleet
 * whose turns would run into the next cron tick is refused where the gap is written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateDetailed } from 'node-cron';
import { describeOtherRun } from '../../src/chaos/fleet/others.js';
import { shortestPeriodMs, turnDelayMs, turnsMisfit, turnsSpanMs } from '../../src/chaos/fleet/turns.js';
import { scheduleSchema } from '../../src/chaos/schema/schedule.js';

const fleet = { regions: ['eu-west-1', 'us-east-1', 'ap-south-1'], gapMs: 30 * 60_000 };
const fields = (cron: string) => {
  const parsed = validateDetailed(cron).fields;
  assert.ok(parsed, `${cron} parses`);
  return parsed;
};
const HOUR = 3_600_000;

test('the region at index i starts i × gap after the tick; an unlisted region has no turn', () => {
  assert.equal(turnDelayMs(fleet, 'eu-west-1'), 0);
  assert.equal(turnDelayMs(fleet, 'us-east-1'), 30 * 60_000);
  assert.equal(turnDelayMs(fleet, 'ap-south-1'), HOUR);
  assert.equal(turnDelayMs(fleet, 'sa-east-1'), undefined);
  assert.equal(turnsSpanMs(fleet), HOUR);
});

test('the shortest time between ticks, within a day and across midnight', () => {
  assert.equal(shortestPeriodMs(fields('0 */6 * * *')), 6 * HOUR);
  assert.equal(shortestPeriodMs(fields('0 3 * * *')), 24 * HOUR);
  assert.equal(shortestPeriodMs(fields('0 3 * * 1-5')), 24 * HOUR, 'Monday to Tuesday');
  assert.equal(shortestPeriodMs(fields('0 3 * * 1,3')), undefined, 'no neighbouring days, one tick a day');
  assert.equal(shortestPeriodMs(fields('0 3,23 * * *')), 4 * HOUR, '23:00 to 03:00');
  assert.equal(shortestPeriodMs(fields('*/5 * * * * *')), 5_000);
  assert.equal(shortestPeriodMs(fields('0 3 1 * *')), undefined, 'monthly: not known without a calendar');
});

test('turns that reach the next tick are a misfit, said with both figures', () => {
  assert.equal(turnsMisfit(fleet, fields('0 */2 * * *')), undefined);
  assert.equal(
    turnsMisfit(fleet, fields('0 * * * *')),
    'the last region starts 1h after the tick, but the cron fires every 1h: turns would overlap the next tick (fewer regions, a shorter gap, or a sparser cron)',
  );
  assert.equal(turnsMisfit(fleet, fields('0 3 1 * *')), undefined, 'unknown period: not refused');
});

test('the schema carries schedule.fleet as regions and gapMs', () => {
  const parsed = scheduleSchema.parse({ cron: '0 3 * * *', fleet: { regions: ['a', 'b'], gap: '30m' } });
  assert.deepEqual(parsed.fleet, { regions: ['a', 'b'], gapMs: 30 * 60_000 });
  assert.equal(scheduleSchema.parse({ cron: '0 3 * * *' }).fleet, undefined);
  assert.equal(
    scheduleSchema.safeParse({ cron: '0 * * * *', fleet: { regions: ['a', 'b', 'c'], gap: '30m' } }).success,
    false,
  );
});

test("another region's run is told with its region, run and operator", () => {
  const labels = { experiment: 'kill-one', region: 'us-east-1', run: 'r1', operator: 'alice' };
  assert.equal(
    describeOtherRun({ labels }),
    'experiment "kill-one" is already running in region us-east-1 (run r1, by alice); regions take turns',
  );
});
