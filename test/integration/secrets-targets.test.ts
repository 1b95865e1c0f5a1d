/**
 * A target's credentials and secret query values never leave the agent: not in /metrics
 * (either format), not in its logs at debug, not in a failure message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestAgent } from '../helpers/agent.js';
import { startHttpServer } from '../helpers/servers.js';
import { eventually } from '../helpers/wait.js';

const SENTINELS = ['S3ntinelPass', 'S3ntinelToken', 'S3ntinelKey', 'S3ntinelLoop'];

test('target secrets appear in no metric, log line or failure message', async () => {
  const target = await startHttpServer((req, res) => {
    // A redirect loop whose URLs carry a token: the failure message names both URLs.
    if (req.url?.startsWith('/loop')) res.writeHead(302, { location: `/loop?token=${SENTINELS[3]}` }).end();
    else res.writeHead(200).end('ok');
  });
  const host = target.origin.replace('http://', '');
  const ta = await startTestAgent(
    [
      'server: { listen: 127.0.0.1:0 }',
      'probes: { defaults: { interval: 1s, timeout: 500ms } }',
      'exporters: { log: { level: debug } }',
      'checks:',
      `  - { name: secret-url, kind: http, target: "http://bob:${SENTINELS[0]}@${host}/ok?access_token=${SENTINELS[1]}&api_key=${SENTINELS[2]}&q=1" }`,
      `  - { name: looping, kind: http, target: "${target.origin}/loop" }`,
    ].join('\n'),
  );
  try {
    await eventually(
      () => (ta.logs().some((l) => l.check === 'looping' && l.reason === 'redirects') ? true : undefined),
      10_000,
      'the redirect loop reported',
    );
    await eventually(
      () => (ta.logs().some((l) => l.check === 'secret-url') ? true : undefined),
      10_000,
      'a run of the check',
    );
    // The request itself still carried them: redaction is about what is shown, not what is sent.
    assert.ok(target.requests.some((r) => r.url.includes(SENTINELS[1] as string)));
    const text = (await ta.get('/metrics')).body;
    const open = (await ta.get('/metrics', { accept: 'application/openmetrics-text; version=1.0.0' })).body;
    const logs = JSON.stringify(ta.logs());
    for (const [where, content] of Object.entries({ text, open, logs })) {
      for (const sentinel of SENTINELS) assert.ok(!content.includes(sentinel), `${sentinel} in ${where}`);
    }
    assert.match(text, /canary_check_info\{[^}]*target="http:\/\/REDACTED:REDACTED@[^"]*access_token=REDACTED/);
    assert.match(logs, /redirect loop: [^"]*token=REDACTED/);
  } finally {
    await ta.stop();
    await target.close();
  }
});
