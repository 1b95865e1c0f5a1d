/**
 * The file watch reloads on a real change only: not for a log written beside the config,
 * not for a file rewritten with the same bytes, and still for an edit of a probe file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestAgent } from '../helpers/agent.js';
import { startHttpServer } from '../helpers/servers.js';
import { eventually } from '../helpers/wait.js';

/** Writes to the unrelated file: enough events to have reloaded many times under the old watch. */
const BUSY_WRITES = 40;
const BUSY_EVERY_MS = 50;

test('the watch ignores a busy log beside the config and same-content rewrites, and reloads on a probe file edit', async () => {
  const target = await startHttpServer((_req, res) => res.writeHead(200).end('ok'));
  const check = (name: string) => `  - { name: ${name}, kind: http, target: "${target.origin}/${name}" }\n`;
  const agentYaml = [
    'server: { listen: 127.0.0.1:0 }',
    'probes: { files: [checks.yaml], defaults: { interval: 5s, timeout: 1s } }',
    'exporters: { log: { level: info } }',
  ].join('\n');
  const ta = await startTestAgent(agentYaml, {}, { watch: true, files: { 'checks.yaml': `checks:\n${check('one')}` } });
  const reloads = () =>
    ta.logs().filter((line) => line.msg === 'config reloaded' || String(line.msg).startsWith('config reload failed'));
  try {
    const dir = dirname(ta.agent.config.file);
    // The agent's own log beside its config, written to as an agent writes its log.
    const log = join(dir, 'canary.log');
    for (let i = 0; i < BUSY_WRITES; i++) {
      appendFileSync(log, `{"msg":"line ${i}"}\n`);
      await sleep(BUSY_EVERY_MS);
    }
    // Rewritten with the same bytes, as `touch`-like tools and config management do.
    writeFileSync(ta.agent.config.file, readFileSync(ta.agent.config.file));
    writeFileSync(join(dir, 'checks.yaml'), readFileSync(join(dir, 'checks.yaml')));
    // Past the watch's debounce (500 ms) twice over: had any of it counted, a reload would be logged by now.
    await sleep(1_500);
    assert.deepEqual(reloads(), [], 'no reload for a log beside the config or an unchanged file');

    writeFileSync(join(dir, 'checks.yaml'), `checks:\n${check('one')}${check('two')}`);
    const [reloaded] = await eventually(
      () => (reloads().length > 0 ? reloads() : undefined),
      10_000,
      'a reload after the edit',
    );
    assert.equal(reloaded?.trigger, 'watch');
    assert.deepEqual(reloaded?.added, ['two']);
    assert.equal(reloads().length, 1, 'one edit, one reload');
  } finally {
    await ta.stop();
    await target.close();
  }
});
