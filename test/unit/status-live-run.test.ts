/** The run in progress shows the failback wave the agent's runner is in, before its record is written. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activeRun } from '../../src/agent/status/active-run.js';
import { LiveRun } from '../../src/agent/status/live-run.js';
import { EventBus } from '../../src/results/bus.js';
import { makeJournal } from '../helpers/journal.js';

const RUN = '20250301T120000Z-failback-bbbbbb';
const finished = {
  step: 'method[2]',
  wave: 1,
  startedAt: '2025-03-01T12:00:30.000Z',
  endedAt: '2025-03-01T12:00:40.000Z',
  instances: ['backend-1'],
  checks: [{ check: 'web', samples: 10, successRatio: 1, p95: 0.05 }],
  gate: true,
};

test('a wave started and not yet judged is listed after the finished ones, its gate pending', async () => {
  const bus = new EventBus();
  const live = new LiveRun(bus);
  const journal = makeJournal(RUN, { waves: [finished] });
  bus.emit('chaos.run.start', { experiment: 'failback', runId: RUN });
  live.progress({ type: 'wave.start', step: 'method[2]', wave: 2, waves: 2, instances: ['backend-2'] });
  const during = await activeRun(journal, live.pendingWave(RUN));
  assert.deepEqual(
    during.waves.map((w) => [w.index, w.wave, w.instances, w.successRatio, w.gate]),
    [
      [0, 1, ['backend-1'], 1, 'passed'],
      [1, 2, ['backend-2'], null, 'pending'],
    ],
  );
  assert.equal(live.pendingWave('another-run'), undefined, 'only the run it belongs to');
  live.progress({ type: 'wave.end', step: 'method[2]', wave: 2, gate: true });
  assert.equal(live.pendingWave(RUN), undefined);
  live.progress({ type: 'wave.start', step: 'method[2]', wave: 2, waves: 2, instances: ['backend-2'] });
  bus.emit('chaos.run.end', { experiment: 'failback', runId: RUN, status: 'aborted' });
  assert.equal(live.pendingWave(RUN), undefined, 'a run that ended has no wave in progress');
  live.close();
});
