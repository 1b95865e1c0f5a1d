/**
 * `GET /api/v1/fleet` against a real Prometheus that scrapes two agents of two regions with
 * the shipped region rules loaded: one region's route failing shows the check down there,
 * up elsewhere, no quorum; both failing is a quorum. Without `server.ui.prometheus` the
 * fleet is not configured; with a Prometheus that cannot be reached the answer says why.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fleetSource } from '../../src/agent/status/fleet.js';
import { DOWN_BY_REGION, QUORUM_EXPR } from '../../src/agent/status/fleet-grid.js';
import { startTestAgent, type TestAgent } from '../helpers/agent.js';
import { noPrometheus, startGridFleet, type GridFleet } from '../helpers/fleet-grid.js';
import { closedPort, startHttpServer } from '../helpers/servers.js';
import { eventually } from '../helpers/wait.js';

const skip = noPrometheus();

let fleet: GridFleet | undefined;
let viewer: TestAgent | undefined;

interface Fleet {
  configured: boolean;
  error?: string;
  regions?: string[];
  checks?: { check: string; regions: Record<string, number>; down: number; total: number; quorum: boolean }[];
  totalChecks?: number;
  truncated?: boolean;
}

async function fleetOf(agent: TestAgent): Promise<Fleet> {
  const res = await agent.get('/api/v1/fleet');
  assert.equal(res.status, 200, res.body);
  assert.match(res.contentType, /^application\/json/);
  return JSON.parse(res.body) as Fleet;
}

/** The fleet answer once `web` has `down` regions down (the rules need a scrape and an evaluation). */
function webWithDown(down: number): Promise<Fleet> {
  return eventually(
    async () => {
      const body = await fleetOf(viewer as TestAgent);
      return body.checks?.find((c) => c.check === 'web')?.down === down ? body : undefined;
    },
    30_000,
    `web down in ${down} regions`,
  );
}

before(async () => {
  if (skip) return;
  fleet = await startGridFleet();
  // An agent of its own that only shows the fleet: it probes nothing.
  viewer = await startTestAgent(
    `agent: { region: viewer }\nserver: { listen: "127.0.0.1:0", ui: { prometheus: "${fleet.prometheus.url}" } }`,
  );
});

after(async () => {
  await viewer?.stop();
  await fleet?.stop();
});

test(
  'one region down is shown down there and up elsewhere, without a quorum; both down is a quorum',
  { skip },
  async () => {
    const f = fleet as GridFleet;
    const healthy = await webWithDown(0);
    assert.deepEqual(healthy.regions, ['eu-west-1', 'us-east-1']);
    assert.deepEqual(healthy.checks, [
      { check: 'web', regions: { 'eu-west-1': 1, 'us-east-1': 1 }, down: 0, total: 2, quorum: false },
    ]);

    f.fail('us-east-1');
    const one = await webWithDown(1);
    assert.deepEqual(one.checks, [
      { check: 'web', regions: { 'eu-west-1': 1, 'us-east-1': 0 }, down: 1, total: 2, quorum: false },
    ]);
    assert.equal(one.totalChecks, 1);
    assert.equal(one.truncated, false);

    f.fail('us-east-1', 'eu-west-1');
    const both = await webWithDown(2);
    assert.deepEqual(both.checks, [
      { check: 'web', regions: { 'eu-west-1': 0, 'us-east-1': 0 }, down: 2, total: 2, quorum: true },
    ]);
    f.fail();
  },
);

test('without server.ui.prometheus the fleet is not configured', { skip }, async () => {
  const plain = await startTestAgent('server: { listen: "127.0.0.1:0" }');
  try {
    assert.deepEqual(await fleetOf(plain), { configured: false });
  } finally {
    await plain.stop();
  }
});

test('a Prometheus that cannot be reached is an error in the answer, not a failed request', async () => {
  const port = await closedPort();
  const blind = await startTestAgent(
    `server: { listen: "127.0.0.1:0", ui: { prometheus: "http://127.0.0.1:${port}" } }`,
  );
  try {
    const body = await fleetOf(blind);
    assert.equal(body.configured, true);
    assert.match(body.error ?? '', /^prometheus: /);
    assert.equal(body.checks, undefined);
  } finally {
    await blind.stop();
  }
});

test('requests while a round is on its way share it: one pair of queries, at one instant', async () => {
  const asked: URLSearchParams[] = [];
  const prom = await startHttpServer((req, res) => {
    asked.push(new URL(req.url ?? '/', 'http://127.0.0.1').searchParams);
    res.writeHead(200).end('{"status":"success","data":{"resultType":"vector","result":[]}}');
  });
  try {
    const source = fleetSource(() => prom.origin);
    // Three viewers asking before the first answer is back.
    const answers = await Promise.all([source(), source(), source()]);
    for (const body of answers) assert.deepEqual((body as Fleet).checks, []);
    assert.deepEqual(asked.map((q) => q.get('query')).sort(), [DOWN_BY_REGION, QUORUM_EXPR]);
    assert.match(asked[0]?.get('time') ?? '', /^\d+\.\d{3}$/);
    assert.equal(asked[0]?.get('time'), asked[1]?.get('time'));
  } finally {
    await prom.close();
  }
});
