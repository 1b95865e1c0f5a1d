/**
 * A check's run counters exist from the moment it is scheduled, at 0, before its first run
 * ends (as Prometheus's instrumentation guidelines ask, and as the chaos counters do): a
 * real agent, real targets on 127.0.0.1, scraped over HTTP.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { startTestAgent } from '../helpers/agent.js';
import { findTool, promtoolCheckMetrics } from '../helpers/promtool.js';
import { startHttpServer, type HttpTestServer } from '../helpers/servers.js';

/** Answers at once. */
let quick: HttpTestServer;
/** Takes the request and never answers: a run against it cannot finish during the test. */
let held: HttpTestServer;

before(async () => {
  quick = await startHttpServer((_req, res) => res.writeHead(200).end('ok'));
  held = await startHttpServer(() => undefined);
});
after(async () => {
  await held.close();
  await quick.close();
});

/** The agent file: `checks` are YAML flow mappings, one per line. */
function config(checks: readonly string[]): string {
  return [
    'agent: { region: r1 }',
    'server: { listen: 127.0.0.1:0 }',
    'probes: { defaults: { interval: 1h, timeout: 1h } }',
    'checks:',
    ...checks.map((c) => `  - ${c}`),
  ].join('\n');
}

/** Once a year, at midnight on 1 January: it is scheduled, and does not run during the test. */
const YEARLY = `{ name: yearly, kind: http, target: "QUICK/", schedule: "0 0 1 1 *" }`;

/** The series of one check in one family, as `labels value` lines. */
function seriesOf(body: string, family: string, check: string): string[] {
  return body
    .split('\n')
    .filter((line) => line.startsWith(`${family}{`) && line.includes(`check="${check}"`))
    .map((line) => line.slice(family.length));
}

test('a scheduled check exports its run and attempt counters at 0 before its first run; a disabled one exports none', async (t) => {
  const agent = await startTestAgent(
    config([
      YEARLY.replace('QUICK', quick.origin),
      `{ name: held, kind: http, target: "${held.origin}/" }`,
      `{ name: off, kind: http, target: "${quick.origin}/", enabled: false }`,
    ]),
  );
  t.after(() => agent.stop());
  const { body } = await agent.get('/metrics');
  for (const check of ['yearly', 'held']) {
    for (const family of ['canary_probe_runs_total', 'canary_probe_attempts_total']) {
      assert.deepEqual(
        seriesOf(body, family, check),
        [`{result="success",reason="",check="${check}",kind="http",region="r1"} 0`],
        `${family} of ${check}: the success series at 0, no failure series`,
      );
    }
    assert.deepEqual(seriesOf(body, 'probe_success', check), [], `no probe_success for ${check} before a result`);
  }
  assert.deepEqual(seriesOf(body, 'canary_probe_runs_total', 'off'), [], 'a disabled check is not scheduled');
  assert.equal(quick.requests.length, 0, 'no run of the quick target has happened');

  const promtool = findTool('promtool');
  if (!promtool) {
    t.diagnostic('promtool not found in PATH (Debian package "prometheus"): exposition lint skipped');
    return;
  }
  const lint = await promtoolCheckMetrics(promtool, body);
  assert.equal(lint.code, 0, lint.stdout + lint.stderr);
  assert.equal(lint.stdout + lint.stderr, '', 'no warnings');
});

test('a reload: an added check has its counters at 0 at once, a removed one loses its series', async (t) => {
  const yearly = YEARLY.replace('QUICK', quick.origin);
  const agent = await startTestAgent(config([yearly]));
  t.after(() => agent.stop());
  const before = (await agent.get('/metrics')).body;
  assert.equal(seriesOf(before, 'canary_probe_runs_total', 'yearly').length, 1);

  const added = YEARLY.replace('QUICK', quick.origin).replace('yearly', 'added');
  writeFileSync(agent.agent.config.file, config([added]));
  const outcome = await agent.agent.reload();
  assert.equal(outcome.status, 'success', JSON.stringify(outcome));
  const body = (await agent.get('/metrics')).body;
  assert.deepEqual(seriesOf(body, 'canary_probe_runs_total', 'added'), [
    '{result="success",reason="",check="added",kind="http",region="r1"} 0',
  ]);
  assert.deepEqual(seriesOf(body, 'canary_probe_runs_total', 'yearly'), [], 'the removed check is gone');
});
