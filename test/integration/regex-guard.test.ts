/**
 * Configured regexes pass the backtracking guard at load and still work in a real probe:
 * lookbehinds and named groups (which the guard's parser is given in an equivalent shape)
 * match, and a body that does not match still fails the check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestAgent } from '../helpers/agent.js';
import { startHttpServer } from '../helpers/servers.js';
import { eventually } from '../helpers/wait.js';
import type { CheckResult } from '../../src/results/types.js';

test('guarded regexes on headers and the body match in a real probe; a miss still fails', async () => {
  const target = await startHttpServer((_req, res) =>
    res.writeHead(200, { 'x-request-id': 'ab12-cd34' }).end('status=ok id=42'),
  );
  const check = (name: string, expect: string) =>
    `  - { name: ${name}, kind: http, target: "${target.origin}/", interval: 200ms, timeout: 200ms, expect: ${expect} }`;
  const yaml = [
    'server: { listen: 127.0.0.1:0 }',
    'exporters: { log: { level: silent } }',
    'checks:',
    check(
      'guarded',
      String.raw`{ headers: [ { name: x-request-id, matches: "^[a-f0-9-]+$" } ], body: [ { matches: "(?<=status=)ok" }, { matches: "id=(?<id>\\d+)$" } ] }`,
    ),
    check('missed', '{ body: [ { matches: "^status=down" } ] }'),
  ].join('\n');
  const ta = await startTestAgent(yaml).catch(async (error: unknown) => {
    await target.close();
    throw error;
  });
  const results = new Map<string, CheckResult>();
  ta.agent.bus.on('result', (r) => void results.set(r.check, r));
  try {
    await eventually(
      () => Promise.resolve(results.has('guarded') && results.has('missed') ? true : undefined),
      10_000,
      'a result of each check',
    );
    assert.equal(results.get('guarded')?.ok, true, JSON.stringify(results.get('guarded')?.outcomes));
    assert.equal(results.get('missed')?.ok, false);
    assert.equal(results.get('missed')?.reason, 'assertion');
  } finally {
    await ta.stop();
    await target.close();
  }
});
