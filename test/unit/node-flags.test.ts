/**
 * The agent's V8 flags only work on the command line, so every way of starting it must
 * pass them: the bin's shebang, `npm start`, the systemd unit, the container image and the
 * benchmark's agent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_NODE_FLAGS, startedWithAgentFlags } from '../../src/cli/node-flags.js';
import { agentNodeFlags } from '../bench/agent-run.js';
import { repoRoot } from '../helpers/paths.js';

const read = (...parts: string[]): string => readFileSync(join(repoRoot, ...parts), 'utf8');
const FLAGS = AGENT_NODE_FLAGS.join(' ');

test('the bin, npm start, the systemd unit and the container image start node with the agent flags', () => {
  assert.equal(read('src', 'cli', 'main.ts').split('\n')[0], `#!/usr/bin/env -S node ${FLAGS}`);
  assert.equal(read('dist', 'src', 'cli', 'main.js').split('\n')[0], `#!/usr/bin/env -S node ${FLAGS}`, 'the built bin keeps the shebang');
  const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
  assert.equal(scripts.start, `node ${FLAGS} dist/src/cli/main.js demo`);
  assert.match(read('deploy', 'systemd', 'canary.service'), new RegExp(`^ExecStart=/usr/bin/node ${FLAGS} /opt/canary/dist/src/cli/main.js run `, 'm'));
  const entrypoint = `ENTRYPOINT ${JSON.stringify(['node', ...AGENT_NODE_FLAGS, '/app/dist/src/cli/main.js']).replaceAll(',', ', ')}`;
  assert.ok(read('deploy', 'container', 'Dockerfile').split('\n').includes(entrypoint), `the Dockerfile has no line ${entrypoint}`);
});

test('the benchmark runs the agent as it is shipped, unless told otherwise', () => {
  const saved = process.env.BENCH_NODE_FLAGS;
  try {
    delete process.env.BENCH_NODE_FLAGS;
    assert.deepEqual(agentNodeFlags(), [...AGENT_NODE_FLAGS]);
    process.env.BENCH_NODE_FLAGS = '';
    assert.deepEqual(agentNodeFlags(), []);
  } finally {
    if (saved === undefined) delete process.env.BENCH_NODE_FLAGS;
    else process.env.BENCH_NODE_FLAGS = saved;
  }
});

test('startedWithAgentFlags reads the process flags', () => {
  assert.equal(startedWithAgentFlags([...AGENT_NODE_FLAGS, '--enable-source-maps']), true);
  assert.equal(startedWithAgentFlags(['--max-semi-space-size=4']), false);
  assert.equal(startedWithAgentFlags([]), false);
});
