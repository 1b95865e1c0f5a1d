import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logProgress, bothListeners } from '../../src/chaos/progress-log.js';
import type { ChaosProgress } from '../../src/chaos/progress.js';
import { createLogger } from '../../src/log.js';

test("a scheduled run's steps, waves, gates and verdicts are logged in the CLI's words; failures at warn", () => {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: 'info',
    destination: { write: (msg: string) => void lines.push(JSON.parse(msg) as Record<string, unknown>) },
  });
  const seen: string[] = [];
  const listener = bothListeners((e) => seen.push(e.type), logProgress(logger, 'staggered'));
  const report = { at: '2026-12-07T00:00:00.000Z', holds: false, entries: [] };
  const events: ChaosProgress[] = [
    { type: 'step.start', step: 'method[0]', action: 'kill' },
    { type: 'fault.applied', step: 'method[0]', instance: 'backend-1', ok: true },
    { type: 'wave.start', step: 'method[2]', wave: 1, waves: 2, instances: ['backend-1'] },
    { type: 'wave.end', step: 'method[2]', wave: 1, gate: true },
    { type: 'wave.end', step: 'method[2]', wave: 2, gate: false },
    { type: 'hypothesis', phase: 'after', report },
    { type: 'rollback.end', ok: true },
  ];
  for (const e of events) listener(e);
  assert.deepEqual(
    seen,
    events.map((e) => e.type),
    'the other listener still hears every event',
  );
  assert.deepEqual(
    lines.map((l) => [l.level, l.msg]),
    [
      ['info', 'chaos: step method[0] (kill) started'],
      ['info', 'chaos: fault applied: method[0] on backend-1'],
      ['info', 'chaos: wave 1/2 of method[2] started: backend-1'],
      ['info', 'chaos: wave 1 of method[2]: gate passed'],
      ['warn', 'chaos: wave 2 of method[2]: gate FAILED'],
      ['warn', 'chaos: steady state after rollback: did NOT hold'],
      ['info', 'chaos: rollback done'],
    ],
  );
  assert.equal(lines[2]?.experiment, 'staggered');
  assert.deepEqual(lines[2]?.instances, ['backend-1']);
  assert.equal(lines[5]?.holds, false);
  assert.ok(!('report' in (lines[5] as object)), 'the report stays in the journal');
});
