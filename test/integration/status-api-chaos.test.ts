/**
 * The status API's chaos routes on a running agent, over a state directory the test fills
 * as runners do: journals of ended runs, one still running in a live process, the HALT file.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { halt, resume } from '../../src/chaos/state/halt.js';
import { JournalStore } from '../../src/chaos/state/journal.js';
import { startTestAgent, type TestAgent } from '../helpers/agent.js';
import { makeJournal } from '../helpers/journal.js';

let agent: TestAgent;
let stateDir: string;

const ENDED = '20250301T110000Z-kill-one-aaaaaa';
const RUNNING = '20250301T120000Z-failback-bbbbbb';

interface Wave {
  index: number;
  instances: string[];
  successRatio: number | null;
  p95Ms: number | null;
  gate: string | null;
}
interface Runs {
  enabled: boolean;
  halted: { operator: string; reason: string; at: string } | null;
  active: {
    runId: string;
    operator: string;
    step: { id: string; index: number | null; of: number | null; label: string } | null;
    waves: Wave[];
    hypothesis: {
      live: boolean;
      holds: boolean;
      entries: { check: string; successRatio: number | null; p95Ms: number | null }[];
    };
  } | null;
  runs: { runId: string; status: string; endedAt: string | null; reason: string | null; deviated: boolean }[];
}

async function getJson<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await agent.get(path);
  return { status: res.status, body: JSON.parse(res.body) as T };
}

const wave = {
  step: 'method[2]',
  wave: 0,
  startedAt: '2025-03-01T11:00:30.000Z',
  endedAt: '2025-03-01T11:00:40.000Z',
  instances: ['backend-1'],
  checks: [
    { check: 'web', samples: 10, successRatio: 0.9, p95: 0.08 },
    { check: 'api', samples: 10, successRatio: 1, p95: 0.12 },
  ],
  gate: true,
};

before(async () => {
  agent = await startTestAgent(`server: { listen: 127.0.0.1:0 }
chaos: { stateDir: ./state }
`);
  stateDir = agent.agent.config.chaos.stateDir;
  const experiment = join(stateDir, '..', 'failback.yaml');
  writeFileSync(
    experiment,
    'method:\n  - { action: kill, target: backends }\n  - { pause: 20s }\n  - { action: failback, target: backends }\n',
  );
  const store = new JournalStore(stateDir);
  await store.create(
    makeJournal(ENDED, {
      status: 'completed',
      endedAt: '2025-03-01T11:01:00.000Z',
      reason: 'the steady state held',
      waves: [wave],
    }),
  );
  await store.create(
    makeJournal(RUNNING, {
      experiment: 'failback',
      file: experiment,
      steps: [
        { id: 'method[0]', action: 'kill', startedAt: '2025-03-01T12:00:01.000Z', status: 'ok', faults: [] },
        { id: 'method[1]', action: 'pause', startedAt: '2025-03-01T12:00:02.000Z', status: 'running', faults: [] },
      ],
      steadyState: {
        before: {
          at: '2025-03-01T12:00:00.000Z',
          holds: true,
          entries: [{ check: 'web', holds: true, samples: 20, values: { successRatio: 0.99, p95: 0.08 }, failed: [] }],
        },
      },
    }),
  );
});

after(async () => {
  await agent?.stop();
});

test('lists runs newest first, the run in progress at its step, and no halt', async () => {
  const { status, body } = await getJson<Runs>('/api/v1/chaos/runs');
  assert.equal(status, 200);
  assert.equal(body.enabled, false);
  assert.equal(body.halted, null);
  assert.deepEqual(
    body.runs.map((r) => [r.runId, r.status]),
    [
      [RUNNING, 'running'],
      [ENDED, 'completed'],
    ],
  );
  assert.equal(body.runs[1]?.reason, 'the steady state held');
  assert.equal(body.active?.runId, RUNNING);
  assert.equal(body.active?.operator, 'alice');
  assert.deepEqual(body.active?.step && { ...body.active.step }, {
    id: 'method[1]',
    index: 1,
    of: 3,
    label: 'pause 20s',
    status: 'running',
  });
  assert.deepEqual(body.active?.hypothesis.entries, [{ check: 'web', successRatio: 0.99, p95Ms: 80, holds: true }]);
  assert.equal(body.active?.hypothesis.live, false, 'a run of another process: its journal verdict');
});

test('a halt shows who pulled it and why, and goes with resume', async () => {
  await halt(stateDir, { operator: 'alice', reason: 'INC-1' });
  try {
    const { body } = await getJson<Runs>('/api/v1/chaos/runs');
    assert.equal(body.halted?.operator, 'alice');
    assert.equal(body.halted?.reason, 'INC-1');
    assert.ok(!Number.isNaN(Date.parse(body.halted?.at ?? '')));
  } finally {
    await resume(stateDir);
  }
  assert.equal((await getJson<Runs>('/api/v1/chaos/runs')).body.halted, null);
});

test('one run: its journal as stored, with its waves', async () => {
  const { status, body } = await getJson<{ runId: string; status: string; waves: Wave[]; steps: unknown[] }>(
    `/api/v1/chaos/runs/${ENDED}`,
  );
  assert.equal(status, 200);
  assert.equal(body.runId, ENDED);
  assert.deepEqual(body.steps, []);
  assert.equal(body.waves.length, 1);
  const [first] = body.waves;
  assert.deepEqual(first && [first.index, first.instances, first.successRatio, first.p95Ms, first.gate], [
    0,
    ['backend-1'],
    0.9,
    120,
    'passed',
  ]);
});

test('an unknown run is a 404, a malformed id a 400', async () => {
  const missing = await getJson<{ error: string }>('/api/v1/chaos/runs/20250301T000000Z-nope-cccccc');
  assert.equal(missing.status, 404);
  assert.match(missing.body.error, /no chaos run "20250301T000000Z-nope-cccccc"/);
  const bad = await getJson<{ error: string }>('/api/v1/chaos/runs/.hidden');
  assert.equal(bad.status, 400);
  assert.match(bad.body.error, /invalid run id/);
});
