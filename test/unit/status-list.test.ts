/**
 * The status API's list on many checks without a server: states (flapping included), and
 * summaries built for the returned page only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LastResults } from '../../src/agent/status/last-results.js';
import { LiveRun } from '../../src/agent/status/live-run.js';
import { listChecks } from '../../src/agent/status/list.js';
import { parseChecksQuery } from '../../src/agent/status/query.js';
import type { StatusSources } from '../../src/agent/status/sources.js';
import { agentConfigSchema } from '../../src/config/schema/agent.js';
import type { Config } from '../../src/config/types.js';
import { EventBus } from '../../src/results/bus.js';
import { ResultWindows } from '../../src/results/window.js';
import { SloTally } from '../../src/slo/tally.js';
import { makeHttpCheck } from '../helpers/checks.js';
import { makeResult } from '../helpers/results.js';

const NOW = 1_800_000_000_000;

function sources(count: number): { sources: StatusSources; bus: EventBus; latestCalls: () => number } {
  const bus = new EventBus();
  const base = makeHttpCheck({ target: 'http://127.0.0.1/' });
  const checks = Array.from({ length: count }, (_, i) => ({ ...base, name: `check-${String(i).padStart(5, '0')}` }));
  const windows = new ResultWindows(bus, { retentionMs: 900_000 });
  let calls = 0;
  const latest = windows.latest.bind(windows);
  windows.latest = (check, limit) => {
    calls++;
    return latest(check, limit);
  };
  const parsed = agentConfigSchema.parse({});
  const config = { agent: parsed.agent, server: parsed.server } as unknown as Config;
  return {
    bus,
    latestCalls: () => calls,
    sources: {
      config: () => config,
      checks: () => checks,
      windows,
      last: new LastResults(bus),
      experiment: () => undefined,
      slo: new SloTally(bus, new Map()),
      live: new LiveRun(bus),
      chaosEnabled: false,
    },
  };
}

function run(bus: EventBus, check: string, oks: boolean[]): void {
  oks.forEach((ok, i) =>
    bus.emit(
      'result',
      makeResult({ check, ok, startedAt: NOW - 60_000 + i * 1_000, ...(ok ? {} : { reason: 'timeout' }) }),
    ),
  );
}

test('with 10,000 checks, a page of 100 builds 100 summaries and counts every check', () => {
  const { sources: s, bus, latestCalls } = sources(10_000);
  run(bus, 'check-00042', [false]);
  const answer = listChecks(parseChecksQuery(new URLSearchParams('limit=100')), s, NOW);
  assert.equal(answer.total, 10_000);
  assert.equal(answer.checks.length, 100);
  assert.deepEqual(answer.counts, { up: 0, down: 1, flapping: 0, disabled: 0, pending: 9_999 });
  assert.equal(answer.checks[0]?.name, 'check-00042', 'down first');
  assert.equal(answer.checks[0]?.reason, 'timed out');
  assert.equal(latestCalls(), 100, 'recent runs read for the returned page only');
});

test('three changes among the last ten runs make a check flap; fewer do not', () => {
  const { sources: s, bus } = sources(3);
  run(bus, 'check-00000', [true, false, true, false, true]);
  run(bus, 'check-00001', [true, true, false, false, false]);
  run(bus, 'check-00002', [false, true, false, true, true, true, true, true, true, true, true, true]);
  const answer = listChecks(parseChecksQuery(new URLSearchParams('sort=name')), s, NOW);
  assert.deepEqual(
    answer.checks.map((c) => [c.name, c.state, c.reason]),
    [
      ['check-00000', 'flapping', 'timed out'],
      ['check-00001', 'down', 'timed out'],
      ['check-00002', 'up', null],
    ],
  );
  assert.deepEqual(
    answer.checks[1]?.recent.map((r) => r.ok),
    [true, true, false, false, false],
    'oldest first',
  );
});
