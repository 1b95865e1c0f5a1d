/**
 * The status API's check routes on a running agent probing real servers on 127.0.0.1:
 * states, filters, sort, pagination, a failure's reason in words, the SLO budget, the
 * trace link template, redaction, and a 400 or 404 for what cannot be answered.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestAgent, type TestAgent } from '../helpers/agent.js';
import { closedPort, startHttpServer, type HttpTestServer } from '../helpers/servers.js';
import { eventually } from '../helpers/wait.js';

const PASSWORD = 's3cret-status-pw';

let web: HttpTestServer;
let agent: TestAgent;

interface Summary {
  name: string;
  kind: string;
  target: string;
  state: string;
  reason: string | null;
  lastRun: string | null;
  window: { runs: number; successRatio: number | null; p95Ms: number | null };
  recent: { ok: boolean }[];
  slo: { objective: number; windowMs: number; budgetRemaining: number | null } | null;
}
interface List {
  total: number;
  offset: number;
  limit: number;
  counts: Record<string, number>;
  checks: Summary[];
  agent: { region: string };
}

async function getJson<T>(path: string): Promise<{ status: number; body: T; raw: string; contentType: string }> {
  const res = await agent.get(path);
  return { status: res.status, body: JSON.parse(res.body) as T, raw: res.body, contentType: res.contentType };
}

const names = (list: List): string[] => list.checks.map((c) => c.name);

before(async () => {
  web = await startHttpServer((_req, res) => res.end('ok'));
  const port = await closedPort();
  agent = await startTestAgent(
    `agent: { region: test-1 }
server: { listen: 127.0.0.1:0, ui: { traceUrl: "https://traces.example.com/trace/{traceId}" } }
checks:
  - { name: web-a, kind: http, target: "${web.origin}/a", interval: 200ms, labels: { team: sre } }
  - { name: web-b, kind: http, target: "http://user:\${PW}@127.0.0.1:${web.port}/b", interval: 200ms,
      labels: { team: web }, slo: { objective: 99%, window: 1d } }
  - { name: refused, kind: tcp, target: "127.0.0.1:${port}", interval: 200ms, labels: { team: sre } }
  - { name: idle, kind: tcp, target: "127.0.0.1:${port}", interval: 1h, enabled: false }
`,
    { PW: PASSWORD },
  );
  await eventually(
    async () => {
      const { body } = await getJson<List>('/api/v1/checks');
      return body.checks.every((c) => c.state === 'disabled' || c.recent.length >= 2) ? true : undefined;
    },
    20_000,
    'two runs of every enabled check',
  );
});

after(async () => {
  await agent?.stop();
  await web?.close();
});

test('lists every check, down first, with counts, JSON headers and the agent', async () => {
  const { status, body, contentType } = await getJson<List>('/api/v1/checks');
  assert.equal(status, 200);
  assert.equal(contentType, 'application/json; charset=utf-8');
  assert.equal((await fetch(new URL('/api/v1/checks', agent.url))).headers.get('cache-control'), 'no-store');
  assert.deepEqual(names(body), ['refused', 'web-a', 'web-b', 'idle']);
  assert.deepEqual(body.counts, { up: 2, down: 1, flapping: 0, disabled: 1, pending: 0 });
  assert.equal(body.total, 4);
  assert.equal(body.agent.region, 'test-1');
  const up = body.checks[1] as Summary;
  assert.equal(up.state, 'up');
  assert.equal(up.reason, null);
  assert.equal(up.window.successRatio, 1);
  assert.ok(up.lastRun !== null && !Number.isNaN(Date.parse(up.lastRun)));
});

test('a failing check says why in words', async () => {
  const { body } = await getJson<List>('/api/v1/checks?state=down');
  assert.deepEqual(names(body), ['refused']);
  assert.equal(body.checks[0]?.reason, 'connection refused');
  assert.equal(body.checks[0]?.window.successRatio, 0);
  assert.equal(body.total, 1);
  assert.equal(body.counts.up, 2, 'counts are before filtering');
});

test('filters by state, kind, label and name, all at once', async () => {
  assert.deepEqual(names((await getJson<List>('/api/v1/checks?state=up&state=disabled')).body), [
    'web-a',
    'web-b',
    'idle',
  ]);
  assert.deepEqual(names((await getJson<List>('/api/v1/checks?kind=tcp')).body), ['refused', 'idle']);
  assert.deepEqual(names((await getJson<List>('/api/v1/checks?label=team=sre')).body), ['refused', 'web-a']);
  assert.deepEqual(names((await getJson<List>('/api/v1/checks?label=team=sre&kind=http')).body), ['web-a']);
  assert.deepEqual(names((await getJson<List>('/api/v1/checks?q=WEB')).body), ['web-a', 'web-b']);
});

test('sorts and pages', async () => {
  assert.deepEqual(names((await getJson<List>('/api/v1/checks?sort=name&order=desc')).body), [
    'web-b',
    'web-a',
    'refused',
    'idle',
  ]);
  const bySuccess = names((await getJson<List>('/api/v1/checks?sort=successRatio')).body);
  assert.equal(bySuccess[0], 'refused');
  assert.equal(bySuccess.at(-1), 'idle', 'a check without runs sorts last');
  const page = (await getJson<List>('/api/v1/checks?sort=name&offset=1&limit=2')).body;
  assert.deepEqual(names(page), ['refused', 'web-a']);
  assert.deepEqual([page.total, page.offset, page.limit], [4, 1, 2]);
});

test('a bad parameter is a 400 that says which', async () => {
  for (const [query, word] of [
    ['state=sideways', 'state'],
    ['kind=carrier-pigeon', 'kind'],
    ['sort=colour', 'sort'],
    ['order=up', 'order'],
    ['limit=1001', 'limit'],
    ['offset=-1', 'offset'],
    ['label=team', 'label'],
    ['sate=down', 'sate'],
  ] as const) {
    const { status, body } = await getJson<{ error: string }>(`/api/v1/checks?${query}`);
    assert.equal(status, 400, query);
    assert.match(body.error, new RegExp(word), query);
  }
});

test('one check: its runs newest first, the last failure, and the trace link template', async () => {
  const { status, body } = await getJson<
    Summary & {
      runs: { at: string; ok: boolean; reason: string | null; message: string | null }[];
      lastFailure: { reason: string; message: string } | null;
      traceUrl: string | null;
    }
  >('/api/v1/checks/refused');
  assert.equal(status, 200);
  assert.equal(body.lastFailure?.reason, 'connection refused');
  assert.match(body.lastFailure?.message ?? '', /ECONNREFUSED/);
  assert.ok(body.runs.length >= 2);
  assert.ok(body.runs.every((r) => !r.ok && r.reason === 'connection refused'));
  assert.match(body.runs[0]?.message ?? '', /ECONNREFUSED/, 'the newest run has its message');
  assert.ok(Date.parse(body.runs[0]!.at) >= Date.parse(body.runs[1]!.at), 'newest first');
  assert.equal(body.traceUrl, 'https://traces.example.com/trace/{traceId}');
});

test('a check asked for by name keeps the phases of its next runs, not only of its last', async () => {
  type Detail = { runs: { ok: boolean; phases: Record<string, number> | null; at: string }[] };
  const first = await getJson<Detail>('/api/v1/checks/web-a');
  const before = first.body.runs.filter((r) => r.phases !== null).length;
  assert.ok(before <= 2, `before anyone looked, the last run (and failure) only: ${before}`);
  const { body } = await eventually(
    async () => {
      const answer = await getJson<Detail>('/api/v1/checks/web-a');
      return answer.body.runs.filter((r) => r.phases !== null).length >= 4 ? answer : undefined;
    },
    20_000,
    'four runs with their phases',
  );
  const withPhases = body.runs.slice(0, 4);
  assert.ok(
    withPhases.every((r) => r.phases !== null && typeof r.phases.processing === 'number'),
    JSON.stringify(withPhases),
  );
});

test('the SLO budget of a check with an slo, null without one', async () => {
  const { body } = await getJson<Summary>('/api/v1/checks/web-b');
  assert.deepEqual(body.slo, { objective: 0.99, windowMs: 86_400_000, budgetRemaining: 1 });
  assert.equal((await getJson<Summary>('/api/v1/checks/web-a')).body.slo, null);
});

test('a password from the environment never leaves in a target or anywhere else', async () => {
  const one = await getJson<Summary>('/api/v1/checks/web-b');
  assert.equal(one.body.target, `http://REDACTED:REDACTED@127.0.0.1:${web.port}/b`);
  assert.ok(!one.raw.includes(PASSWORD));
  assert.ok(!(await agent.get('/api/v1/checks')).body.includes(PASSWORD));
});

test('an unknown check is a 404 naming it; a name is URL-decoded', async () => {
  const { status, body } = await getJson<{ error: string }>('/api/v1/checks/no%20such');
  assert.equal(status, 404);
  assert.equal(body.error, 'no check named "no such"');
  assert.equal((await agent.get('/api/v1/checks/web-a/extra')).status, 400);
  assert.equal((await agent.get('/api/v1/checks/%E0%A4%A')).status, 400);
});

test('the endpoint index is at /endpoints and lists the API', async () => {
  const { status, body } = await agent.get('/endpoints');
  assert.equal(status, 200);
  assert.match(body, /\/api\/v1\/checks/);
  assert.match(body, /\/api\/v1\/chaos\/runs/);
});
