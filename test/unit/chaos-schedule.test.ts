import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inWindows, localTime, skipReason } from '../../src/chaos/cron.js';
import { nextRun } from '../../src/chaos/next-run.js';
import { halt } from '../../src/chaos/state/halt.js';
import { JournalStore } from '../../src/chaos/state/journal.js';
import type { Experiment, TimeWindow } from '../../src/chaos/model/experiment.js';
import { makeJournal } from '../helpers/journal.js';

const weekdaysBerlin: TimeWindow = {
  days: [1, 2, 3, 4, 5],
  startMinute: 9 * 60,
  endMinute: 17 * 60,
  timeZone: 'Europe/Berlin',
};

test("local time follows the window's time zone, daylight saving included", () => {
  // 2026-11-23 is a Monday; Berlin is UTC+1 in November, UTC+2 in July.
  assert.deepEqual(localTime(new Date('2026-11-23T07:30:00Z'), 'Europe/Berlin'), { day: 1, minute: 8 * 60 + 30 });
  assert.deepEqual(localTime(new Date('2026-07-06T07:30:00Z'), 'Europe/Berlin'), { day: 1, minute: 9 * 60 + 30 });
  assert.deepEqual(localTime(new Date('2026-11-23T02:00:00Z'), 'America/New_York'), { day: 0, minute: 21 * 60 });
});

test('a run may start only inside a window; the end is exclusive; no windows means any time', () => {
  assert.equal(inWindows(new Date('2026-11-23T07:59:00Z'), [weekdaysBerlin]), false, '08:59 Berlin');
  assert.equal(inWindows(new Date('2026-11-23T08:00:00Z'), [weekdaysBerlin]), true, '09:00 Berlin');
  assert.equal(inWindows(new Date('2026-11-23T15:59:00Z'), [weekdaysBerlin]), true, '16:59 Berlin');
  assert.equal(inWindows(new Date('2026-11-23T16:00:00Z'), [weekdaysBerlin]), false, '17:00 Berlin');
  assert.equal(inWindows(new Date('2026-11-22T10:00:00Z'), [weekdaysBerlin]), false, 'a Sunday');
  assert.equal(inWindows(new Date('2026-11-22T10:00:00Z'), []), true);
});

function experiment(over: Partial<Experiment> = {}): Experiment {
  return {
    name: 'gap',
    description: '',
    tags: [],
    file: '/dev/null',
    targets: {},
    steadyState: [],
    abortWhen: [],
    blastRadius: { maxInstances: 1 },
    method: [{ id: 'method[0]', action: 'pause', durationMs: 1 }],
    rollback: [],
    rollbackStrategy: 'always',
    maxDurationMs: 60_000,
    recoveryTimeoutMs: 1_000,
    schedule: { cron: '* * * * *', windows: [], minGapMs: 3_600_000 },
    requireApproval: false,
    ...over,
  };
}

test('skip reasons: approval, window, halt, minimum gap since the last run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'canary-sched-'));
  try {
    const now = new Date('2026-11-23T10:00:00Z');
    assert.equal(await skipReason(experiment(), dir, now), undefined);
    assert.match((await skipReason(experiment({ requireApproval: true }), dir, now)) ?? '', /requireApproval/);
    assert.match(
      (await skipReason(
        experiment({ schedule: { cron: '* * * * *', windows: [weekdaysBerlin], minGapMs: 0 } }),
        dir,
        new Date('2026-11-22T10:00:00Z'),
      )) ?? '',
      /outside its allowed windows/,
    );
    const store = new JournalStore(dir);
    const ended = makeJournal(store.newRunId('gap'), {
      experiment: 'gap',
      file: '/dev/null',
      host: 'h',
      pid: 1,
      operator: 'o',
      startedAt: '2026-11-23T09:20:00.000Z',
      endedAt: '2026-11-23T09:30:00.000Z',
      status: 'completed',
    });
    await store.create(ended);
    assert.match((await skipReason(experiment(), dir, now)) ?? '', /minimum gap not reached/);
    assert.equal(
      await skipReason(experiment(), dir, new Date('2026-11-23T10:31:00Z')),
      undefined,
      'an hour after the last run ended',
    );
    await halt(dir, { operator: 'oncall', reason: '' });
    assert.match((await skipReason(experiment(), dir, new Date('2026-11-23T10:31:00Z'))) ?? '', /halted \(by oncall\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the next scheduled run: the first tick in the windows past the minimum gap, with the region turn; or why none', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'canary-next-'));
  try {
    const now = new Date('2026-11-23T10:00:30Z');
    const options = { enabled: true, region: 'eu', now };
    // Every minute, no gap, no windows: the next minute.
    assert.deepEqual(
      await nextRun(experiment({ schedule: { cron: '* * * * *', windows: [], minGapMs: 0 } }), dir, options),
      {
        at: '2026-11-23T10:01:00.000Z',
      },
    );
    // Berlin weekdays 9-17 from a Sunday: Monday 09:00 Berlin (08:00Z), the first tick inside.
    const sunday = { ...options, now: new Date('2026-11-22T10:00:00Z') };
    const windowed = experiment({ schedule: { cron: '*/15 * * * *', windows: [weekdaysBerlin], minGapMs: 0 } });
    assert.deepEqual(await nextRun(windowed, dir, sunday), { at: '2026-11-23T08:00:00.000Z' });
    // A run ended at 09:59:00 with a 1 h gap: the first tick from 10:59:00.
    const store = new JournalStore(dir);
    const ended = makeJournal(store.newRunId('gap'), {
      experiment: 'gap',
      file: '/dev/null',
      host: 'h',
      pid: 1,
      operator: 'o',
      startedAt: '2026-11-23T09:50:00.000Z',
      endedAt: '2026-11-23T09:59:00.000Z',
      status: 'completed',
    });
    await store.create(ended);
    assert.deepEqual(await nextRun(experiment(), dir, options), { at: '2026-11-23T10:59:00.000Z' });
    // A fleet turn: the third region starts two gaps after the tick; a region not listed has no turn.
    const fleet = experiment({
      name: 'fleet',
      schedule: { cron: '0 * * * *', windows: [], minGapMs: 0, fleet: { regions: ['a', 'b', 'eu'], gapMs: 600_000 } },
    });
    assert.deepEqual(await nextRun(fleet, dir, options), { at: '2026-11-23T11:20:00.000Z' });
    assert.match(
      ((await nextRun(fleet, dir, { ...options, region: 'us' })) as { why: string }).why,
      /no turn for region us/,
    );
    // Why none: disabled, manual, approval, halted.
    const why = async (exp: Experiment, enabled = true) =>
      ((await nextRun(exp, dir, { ...options, enabled })) as { why?: string }).why ?? '';
    assert.match(await why(experiment(), false), /chaos is disabled/);
    assert.match(await why(experiment({ schedule: undefined })), /runs only by hand/);
    assert.match(await why(experiment({ requireApproval: true })), /requireApproval/);
    await halt(dir, { operator: 'alice', reason: 'INC-1' });
    assert.match(await why(experiment()), /halted \(by alice: INC-1\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
