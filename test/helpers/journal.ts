/**
 * Journals for chaos tests: a running one as the runner starts it (`newJournal`), on a
 * fixed date so tests that sort journals by start time stay deterministic, with whatever
 * the test sets on top. The runner's start time and boot id are left out unless the test
 * sets them: a test that names another pid must not claim this process's start time.
 */
import type { Journal } from '../../src/chaos/model/journal.js';
import { newJournal } from '../../src/chaos/run-watch.js';

export function makeJournal(runId: string, over: Partial<Journal> = {}): Journal {
  const started = newJournal({ runId, experiment: 'kill-one', file: '/srv/chaos/kill-one.yaml', operator: 'alice' });
  delete started.startTicks;
  delete started.bootId;
  return { ...started, startedAt: '2025-03-01T12:00:00.000Z', ...over };
}
