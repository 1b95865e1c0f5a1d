import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { PrometheusSink } from '../../src/exporters/prometheus.js';
import { createFlowProbe } from '../../src/probes/flow.js';
import { EventBus } from '../../src/results/bus.js';
import { executeCheck } from '../../src/run/execute.js';
import type { CheckResult } from '../../src/results/types.js';
import { makeCheck } from '../helpers/kind-checks.js';
import { startHttpServer, type HttpTestServer } from '../helpers/servers.js';

const TOKEN = 'tok-7f3a';
const SESSION = 'sess-42';
const PASSWORD = 'right-password';

function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
}

/** A login-then-token API: /login hands out a token for the right password, /me insists on it. */
function api(server: () => HttpTestServer) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = server().requests.at(-1)?.body ?? '';
    switch (`${req.method} ${url.pathname}`) {
      case 'POST /login': {
        const { password } = JSON.parse(body) as { password?: string };
        if (password !== PASSWORD) return json(res, 401, { error: 'bad credentials' });
        return json(res, 200, { token: TOKEN, user: 'canary' }, { 'x-session-id': SESSION });
      }
      case 'POST /login-without-token':
        return json(res, 200, { user: 'canary' });
      case 'GET /me':
        if (req.headers.authorization !== `Bearer ${TOKEN}`) return json(res, 401, { error: 'no token' });
        return json(res, 200, { user: 'canary' });
      case 'GET /echo-auth':
        // Quotes the token back, so a failed header expectation quotes it in its message.
        return json(res, 200, {}, { 'x-seen': req.headers.authorization ?? '' });
      case 'GET /page':
        res
          .writeHead(200, { 'content-type': 'text/html', 'x-session-id': SESSION })
          .end('<a href="/orders?id=ord981">next</a>');
        return;
      case 'GET /orders': {
        const ok = url.searchParams.get('id') === 'ord981' && req.headers['x-session-id'] === SESSION;
        return json(res, ok ? 200 : 400, { ok });
      }
      case 'GET /slow': {
        // Answers long after the flow's timeout; the timer goes when the probe hangs up.
        const timer = setTimeout(() => json(res, 200, { late: true }), 3_000);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      default:
        return json(res, 404, {});
    }
  };
}

const loginStep = (password: string, path = '/login') => ({
  name: 'login',
  http: {
    method: 'POST',
    url: path,
    headers: { 'content-type': 'application/json' },
    body: `{"user":"canary","password":"${password}"}`,
  },
  expect: { status: [200], json: [{ path: '$.token', exists: true }] },
  extract: { token: { json: '$.token' } },
});

const profileStep = {
  name: 'profile',
  http: { url: '/me', headers: { authorization: 'Bearer {{token}}' } },
  expect: { status: [200], json: [{ path: '$.user', equals: 'canary' }] },
};

describe('flow probe', () => {
  const probe = createFlowProbe();
  let server: HttpTestServer;

  before(async () => {
    server = await startHttpServer(api(() => server));
  });
  after(async () => {
    await probe.close?.();
    await server.close();
  });

  const flow = (steps: unknown[], timeoutMs = 5_000) =>
    makeCheck('flow', { target: server.origin, flow: { steps } }, { timeoutMs });
  const run = (check: ReturnType<typeof flow>): Promise<CheckResult> =>
    executeCheck(check, probe, { signal: AbortSignal.timeout(check.timeoutMs) }, { region: 'test' });
  const seen = (path: string) => server.requests.filter((r) => r.url.startsWith(path));

  test('logs in, takes the token from the JSON body and sends it as Authorization to the next step', async () => {
    const before = seen('/me').length;
    const result = await run(flow([loginStep(PASSWORD), profileStep]));
    assert.equal(result.ok, true, result.message);
    const facts = result.observation.flow;
    assert.deepEqual(
      facts?.steps.map((s) => [s.name, s.ok, s.status]),
      [
        ['login', true, 200],
        ['profile', true, 200],
      ],
    );
    assert.equal(facts?.failedStep, undefined);
    const me = seen('/me').slice(before);
    assert.equal(me.length, 1);
    assert.equal(me[0]?.headers.authorization, `Bearer ${TOKEN}`);
    // Phases of the flow are the steps' phases summed: two fresh connections.
    const connects = facts?.steps.map((s) => s.phases.connect ?? 0) ?? [];
    assert.equal(connects.length, 2);
    assert.ok(Math.abs((result.observation.phases.connect ?? 0) - (connects[0] ?? 0) - (connects[1] ?? 0)) < 1e-9);
    assert.equal(result.observation.http?.status, 200);
    assert.equal(result.observation.http?.body, undefined, 'the flow result does not hold response bodies');
  });

  test('extracts from a header and with a regex over the body, filling url and headers', async () => {
    const result = await run(
      flow([
        {
          name: 'page',
          http: { url: '/page' },
          extract: { sid: { header: 'X-Session-Id' }, order: { regex: 'id=(\\w+)' } },
        },
        {
          name: 'order',
          http: { url: '/orders?id={{order}}', headers: { 'x-session-id': '{{ sid }}' } },
          expect: { status: [200] },
        },
      ]),
    );
    assert.equal(result.ok, true, result.message);
    const order = seen('/orders').at(-1);
    assert.equal(order?.url, '/orders?id=ord981');
    assert.equal(order?.headers['x-session-id'], SESSION);
  });

  test('a wrong password fails the flow at step "login" with http_status and never calls the next step', async () => {
    const before = seen('/me').length;
    const result = await run(flow([loginStep('wrong'), profileStep]));
    assert.equal(result.ok, false);
    assert.equal(result.reason, 'http_status');
    // Every failed expectation of the step is listed, as for an http check.
    assert.equal(
      result.message,
      'step "login": status: expected one of 200, got 401; json $.token: expected present, got missing at $.token',
    );
    assert.equal(result.observation.flow?.failedStep, 'login');
    assert.deepEqual(
      result.observation.flow?.steps.map((s) => [s.name, s.ok, s.reason]),
      [['login', false, 'http_status']],
    );
    assert.equal(seen('/me').length, before);
  });

  test('an extraction that finds nothing fails its step with reason assertion', async () => {
    const step = { ...loginStep(PASSWORD, '/login-without-token'), expect: { status: [200] } };
    const result = await run(flow([step, profileStep]));
    assert.equal(result.reason, 'assertion');
    assert.equal(result.message, 'step "login": extract token: $.token not found (missing at $.token)');
    assert.equal(result.observation.flow?.failedStep, 'login');
  });

  test('the timeout covers the whole flow: a slow second step fails with reason timeout naming the step', async () => {
    const result = await run(flow([loginStep(PASSWORD), { name: 'slow-report', http: { url: '/slow' } }], 400));
    assert.equal(result.reason, 'timeout');
    assert.match(result.message ?? '', /^step "slow-report": /);
    assert.deepEqual(
      result.observation.flow?.steps.map((s) => [s.name, s.ok]),
      [
        ['login', true],
        ['slow-report', false],
      ],
    );
    assert.ok(result.durationSeconds < 3, `gave up in ${result.durationSeconds}s, not when the server answered`);
  });

  test('an extracted value is redacted wherever the observation quotes it', async () => {
    const echo = {
      name: 'echo',
      http: { url: '/echo-auth', headers: { authorization: 'Bearer {{token}}' } },
      expect: { status: [200], headers: [{ name: 'x-seen', matches: '^never$' }] },
    };
    const result = await run(flow([loginStep(PASSWORD), echo]));
    assert.equal(seen('/echo-auth').at(-1)?.headers.authorization, `Bearer ${TOKEN}`, 'the token was sent');
    assert.equal(result.reason, 'assertion');
    assert.equal(result.message, 'step "echo": header x-seen: expected matching /^never$/, got "Bearer <redacted>"');
    assert.ok(!JSON.stringify(result).includes(TOKEN), JSON.stringify(result));
  });

  test('a placeholder without a value (a check built without the loader) fails that step by name', async () => {
    const check = flow([loginStep(PASSWORD), profileStep]);
    const [, second] = check.flow.steps;
    assert.ok(second);
    second.http.headers.authorization = 'Bearer {{missing}}';
    const result = await run(check);
    assert.equal(result.ok, false);
    assert.equal(
      result.message,
      'step "profile": {{missing}} in header authorization has no value: no earlier step extracted it',
    );
  });

  test('exports per-step metrics with step labels, and counts failures by step', async () => {
    const check = flow([loginStep(PASSWORD), profileStep]);
    const good = await run(check);
    const bad = await run(flow([loginStep('wrong'), profileStep]));
    const bus = new EventBus();
    // The sink knows a flow's steps from its definition, as the agent hands it the checks.
    const sink = new PrometheusSink({
      bus,
      region: 'test',
      agentLabels: { team: 'sre' },
      version: '0.0.0',
      checks: [check],
    });
    try {
      bus.emit('result', good);
      const first = (await sink.metrics()).body;
      const labels = (step: string) => `{step="${step}",check="test-check",kind="flow",region="test",team="sre"}`;
      assert.ok(first.includes(`probe_flow_step_success${labels('login')} 1`), first);
      assert.ok(first.includes(`probe_flow_step_success${labels('profile')} 1`));
      assert.match(
        first,
        /^probe_flow_step_duration_seconds\{step="profile",check="test-check",kind="flow",region="test",team="sre"\} [0-9.e-]+$/m,
      );
      assert.ok(first.includes(`canary_flow_step_failures_total${labels('profile')} 0`));
      assert.match(
        first,
        /^probe_http_duration_seconds\{phase="connect",check="test-check",kind="flow",region="test",team="sre"\} [0-9.e-]+$/m,
      );
      bus.emit('result', bad);
      const second = (await sink.metrics()).body;
      assert.ok(second.includes(`probe_flow_step_success${labels('login')} 0`));
      assert.ok(
        !second.includes(`probe_flow_step_success${labels('profile')}`),
        'a step the run did not reach has no gauge',
      );
      assert.ok(second.includes(`canary_flow_step_failures_total${labels('login')} 1`));
      assert.ok(second.includes(`canary_flow_step_failures_total${labels('profile')} 0`));
      sink.removeCheck('test-check');
      assert.doesNotMatch((await sink.metrics()).body, /step="/);
    } finally {
      sink.close();
    }
  });
});
