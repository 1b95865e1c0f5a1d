/** The status API follows a reload: a new check (and its SLO) appears, a removed one is gone. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { startTestAgent } from '../helpers/agent.js';
import { startHttpServer } from '../helpers/servers.js';
import { eventually } from '../helpers/wait.js';

test('after a reload the API lists the checks now configured, with the new SLO counted', async () => {
  const web = await startHttpServer((_req, res) => res.end('ok'));
  const config = (checks: string): string => `server: { listen: 127.0.0.1:0 }\nchecks:\n${checks}\n`;
  const before = `  - { name: old, kind: http, target: "${web.origin}/", interval: 200ms }`;
  const agent = await startTestAgent(config(before));
  try {
    assert.equal((await agent.get('/api/v1/checks/old')).status, 200);
    writeFileSync(
      agent.agent.config.file,
      config(
        `  - { name: new, kind: http, target: "${web.origin}/", interval: 200ms, slo: { objective: 99%, window: 1d } }`,
      ),
    );
    assert.equal((await agent.agent.reload('http')).status, 'success');
    assert.equal((await agent.get('/api/v1/checks/old')).status, 404);
    const slo = await eventually(
      async () => {
        const body = JSON.parse((await agent.get('/api/v1/checks/new')).body) as {
          slo: { budgetRemaining: number | null } | null;
        };
        return body.slo?.budgetRemaining === 1 ? body.slo : undefined;
      },
      10_000,
      'the new check counted against its SLO',
    );
    assert.deepEqual(slo, { objective: 0.99, windowMs: 86_400_000, budgetRemaining: 1 });
  } finally {
    await agent.stop();
    await web.close();
  }
});
