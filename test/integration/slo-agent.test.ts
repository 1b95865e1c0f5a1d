/**
 * The SLO series and the heartbeat as a running agent exports them on /metrics (the series
 * themselves are unit-tested in test/unit/slo-metrics.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestAgent } from '../helpers/agent.js';

test('a running agent exports its heartbeat and SLO series on /metrics', async () => {
  const before = Date.now() / 1000;
  const agent = await startTestAgent(`agent: { region: test-1 }
server: { listen: 127.0.0.1:0 }
checks:
  - name: local
    kind: tcp
    target: 127.0.0.1:9
    interval: 1h
    slo: { objective: 99.5%, window: 7d }
`);
  try {
    const { body } = await agent.get('/metrics');
    const beat = /^canary_agent_heartbeat_timestamp_seconds\{region="test-1"\} (\S+)$/m.exec(body);
    assert.ok(beat, body);
    assert.ok(Number(beat[1]) >= before - 1 && Number(beat[1]) <= Date.now() / 1000 + 1);
    assert.match(body, /^canary_slo_objective_ratio\{check="local",kind="tcp",region="test-1"\} 0\.995$/m);
    assert.match(body, /^canary_slo_window_seconds\{check="local",kind="tcp",region="test-1"\} 604800$/m);
  } finally {
    await agent.stop();
  }
});
