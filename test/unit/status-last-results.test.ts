/**
 * The run details the status API keeps beside the windows: the last run and last failure of
 * every check, and every run of a check someone asked for by name, for a while and up to a
 * bound, so an open panel shows its runs' phases without every check paying for it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LastResults, MAX_WATCHED, WATCH_MS, WATCHED_RUNS } from '../../src/agent/status/last-results.js';
import { EventBus } from '../../src/results/bus.js';
import { makeResult } from '../helpers/results.js';

function run(bus: EventBus, check: string, startedAt: number, ok = true): void {
  bus.emit('result', makeResult({ check, startedAt, ok, durationSeconds: 0.01 }, { phases: { connect: 0.002 } }));
}

test('unwatched: only the last run and the last failure keep their details', () => {
  const bus = new EventBus();
  const last = new LastResults(bus);
  run(bus, 'api', 1_000, false);
  run(bus, 'api', 2_000);
  run(bus, 'api', 3_000);
  assert.deepEqual(
    last.details('api').map((d) => d.at),
    [3_010, 1_010],
  );
  last.close();
});

test('watched: every run from then on, at most WATCHED_RUNS, with its phases, until the watch lapses', () => {
  const bus = new EventBus();
  const last = new LastResults(bus);
  run(bus, 'api', 1_000);
  last.watch('api', 1_500);
  for (let i = 0; i < WATCHED_RUNS + 5; i++) run(bus, 'api', 2_000 + i * 1_000);
  const details = last.details('api');
  assert.equal(details.length, WATCHED_RUNS + 1, 'the watched runs and the last run (no failure)');
  assert.equal(details[0]?.at, 2_000 + 5 * 1_000 + 10, 'the oldest beyond the bound made room');
  assert.deepEqual(details[0]?.phases, { connect: 2 });
  // Past the watch: the next run ends it, and only the last run is kept again.
  run(bus, 'api', 1_500 + WATCH_MS + 1_000);
  assert.equal(last.details('api').length, 1);
  last.close();
});

test('at most MAX_WATCHED checks are watched: the one asked for longest ago goes first', () => {
  const bus = new EventBus();
  const last = new LastResults(bus);
  for (let i = 0; i <= MAX_WATCHED; i++) last.watch(`c${i}`, 0);
  last.watch('c1', 0); // asked for again: now the most recent
  last.watch('extra', 0);
  run(bus, 'c0', 100);
  run(bus, 'c1', 100);
  run(bus, 'c2', 100);
  assert.equal(last.details('c0').length, 1, 'c0 was dropped: only its last run');
  assert.equal(last.details('c1').length, 2, 'c1 is still watched');
  assert.equal(last.details('c2').length, 1, 'c2 made room for extra');
  last.retain(new Set(['c1']));
  assert.equal(last.details('c3').length, 0, 'a removed check keeps nothing');
  last.close();
});
