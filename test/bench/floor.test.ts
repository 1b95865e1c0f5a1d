/**
 * Tests of the timing benchmark's floor prober: the parsing of its output lines, the
 * pairing of its records, and one short real run of `floor.py` against a holding target
 * on 127.0.0.1 (skipped when python3 is not found). Nothing asserts a duration beyond
 * "the client waited at least as long as the server held it".
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sleep, stop } from './children.js';
import type { Target } from './ipc.js';
import { findPython, floorSamples, parseFloorLine, startFloorSide, type FloorRecord } from './timing/floor-side.js';
import { drainHolds, startHoldTarget } from './timing/targets.js';

describe('floor output', () => {
  test('parses request, failure, skipped and summary lines; ignores anything else', () => {
    assert.deepEqual(
      parseFloorLine(
        '{"slot": 3, "startedAt": 1700000000123.5, "processingMs": 51.2, "firstByteMs": 51.1, "holdMs": 50.4}',
      ),
      {
        record: { slot: 3, startedAt: 1700000000123.5, processingMs: 51.2, firstByteMs: 51.1, holdMs: 50.4 },
      },
    );
    assert.deepEqual(parseFloorLine('{"slot": 1, "startedAt": 5, "error": "timed out"}'), {
      record: { slot: 1, startedAt: 5, processingMs: null, firstByteMs: null, holdMs: null, error: 'timed out' },
    });
    assert.deepEqual(parseFloorLine('{"slot": 2, "startedAt": 6, "skipped": true}'), {
      record: { slot: 2, startedAt: 6, processingMs: null, firstByteMs: null, holdMs: null, skipped: true },
    });
    assert.deepEqual(parseFloorLine('{"done": true, "requests": 40, "errors": 1, "skipped": 2}'), {
      done: { requests: 40, errors: 1, skipped: 2 },
    });
    assert.equal(parseFloorLine('Traceback (most recent call last):'), undefined);
    assert.equal(parseFloorLine('{"slot": "x"}'), undefined);
    assert.equal(parseFloorLine('42'), undefined);
  });

  test("pairs records like the agent's: failed without processing, unmatched without a hold, skipped left out", () => {
    const records: FloorRecord[] = [
      { slot: 0, startedAt: 1, processingMs: 51, firstByteMs: 51, holdMs: 50 },
      { slot: 1, startedAt: 2, processingMs: null, firstByteMs: null, holdMs: null, error: 'refused' },
      { slot: 2, startedAt: 3, processingMs: 52, firstByteMs: 52, holdMs: null },
      { slot: 3, startedAt: 4, processingMs: null, firstByteMs: null, holdMs: null, skipped: true },
    ];
    const matched = floorSamples(records);
    assert.deepEqual(matched.samples, [{ startedAt: 1, processingMs: 51, holdMs: 50 }]);
    assert.deepEqual([matched.failed, matched.unmatched], [1, 1]);
  });
});

describe('floor.py against a holding target on 127.0.0.1', { timeout: 30_000 }, () => {
  const HOLD_MS = 20;
  let target: Target;
  before(async () => {
    target = await startHoldTarget(HOLD_MS);
  });
  after(() => stop(target.process, 2_000));

  test('two slots for about 1.5 s: every request answered, its hold read from Server-Timing', async (t) => {
    const python = findPython();
    if (!python) return t.skip('SKIP floor: python3 not found');
    const startedAt = Date.now();
    const floor = await startFloorSide(python, target.origin, 2, 10);
    // Two slots once a second: 2 to 4 requests in 1.5 s, wherever their offsets fall.
    await sleep(1_500);
    const { records, done } = await floor.finish();
    assert.equal(done?.errors, 0, JSON.stringify(records));
    assert.equal(done?.requests, records.filter((r) => !r.skipped && !r.error).length);
    assert.ok(records.length >= 2 && records.length <= 4, `records ${records.length}`);
    for (const r of records) {
      assert.ok(r.slot === 0 || r.slot === 1);
      assert.ok(r.startedAt >= startedAt - 1_000 && r.startedAt <= Date.now(), `startedAt ${r.startedAt}`);
      const { processingMs, firstByteMs, holdMs } = r;
      assert.ok(processingMs !== null && firstByteMs !== null && holdMs !== null, JSON.stringify(r));
      assert.ok(holdMs >= HOLD_MS - 1, `hold ${holdMs}`);
      // The client waited at least as long as the server held the request.
      assert.ok(processingMs >= holdMs && processingMs >= firstByteMs, JSON.stringify(r));
    }
    assert.equal(floorSamples(records).samples.length, records.length);
    await drainHolds(target);
  });
});
