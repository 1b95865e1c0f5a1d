/**
 * The agent's V8 flags only work on the command line, so every way of starting it must
 * pass them: the bin's shebang, `npm start`, the systemd unit, the container image and the
 * benchmark's agent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_ENV, AGENT_ENV_WORDS, AGENT_NODE_FLAGS, startedWithAgentFlags } from '../../src/cli/node-flags.js';
import { agentEnv, agentNodeFlags } from '../bench/agent-env.js';
import { parseDockerfile } from '../helpers/dockerfile.js';
import { repoRoot } from '../helpers/paths.js';

const read = (...parts: string[]): string => readFileSync(join(repoRoot, ...parts), 'utf8');
const FLAGS = AGENT_NODE_FLAGS.join(' ');
const ENV = AGENT_ENV_WORDS.join(' ');

test('the bin, npm start, the systemd unit and the container image start node with the agent flags and environment', () => {
  assert.equal(read('src', 'cli', 'main.ts').split('\n')[0], `#!/usr/bin/env -S ${ENV} node ${FLAGS}`);
  assert.equal(
    read('dist', 'src', 'cli', 'main.js').split('\n')[0],
    `#!/usr/bin/env -S ${ENV} node ${FLAGS}`,
    'the built bin keeps the shebang',
  );
  const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
  assert.equal(scripts.start, `${ENV} node ${FLAGS} dist/src/cli/main.js demo`);
  const unit = read('deploy', 'systemd', 'canary.service');
  assert.match(unit, new RegExp(`^ExecStart=/usr/bin/node ${FLAGS} /opt/canary/dist/src/cli/main.js run `, 'm'));
  for (const word of AGENT_ENV_WORDS)
    assert.ok(unit.split('\n').includes(`Environment=${word}`), `the unit has no Environment=${word}`);
  const dockerfile = parseDockerfile(read('deploy', 'container', 'Dockerfile'));
  const entrypoint = JSON.stringify(['node', ...AGENT_NODE_FLAGS, '/app/dist/src/cli/main.js']).replaceAll(',', ', ');
  assert.ok(
    dockerfile.some((i) => i.op === 'ENTRYPOINT' && i.args === entrypoint),
    `the Dockerfile has no ENTRYPOINT ${entrypoint}`,
  );
  const env = dockerfile.filter((i) => i.op === 'ENV').flatMap((i) => i.args.split(/\s+/));
  for (const word of AGENT_ENV_WORDS)
    assert.ok(env.includes(word), `the Dockerfile's ENV has no ${word}: ${env.join(' ')}`);
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

test('the benchmark gives the agent the shipped environment, or BENCH_AGENT_ENV instead', () => {
  assert.equal(agentEnv({ PATH: '/bin' }).MALLOC_ARENA_MAX, AGENT_ENV.MALLOC_ARENA_MAX);
  assert.equal(agentEnv({ PATH: '/bin' }).PATH, '/bin');
  assert.equal(agentEnv({ BENCH_AGENT_ENV: '' }).MALLOC_ARENA_MAX, undefined);
  assert.equal(agentEnv({ BENCH_AGENT_ENV: 'MALLOC_ARENA_MAX=4 X=a=b' }).X, 'a=b');
  assert.equal(agentEnv({ BENCH_AGENT_ENV: 'MALLOC_ARENA_MAX=4' }).MALLOC_ARENA_MAX, '4');
  assert.throws(() => agentEnv({ BENCH_AGENT_ENV: 'nonsense' }), /not NAME=VALUE/);
});

test('startedWithAgentFlags reads the process flags', () => {
  assert.equal(startedWithAgentFlags([...AGENT_NODE_FLAGS, '--enable-source-maps']), true);
  assert.equal(startedWithAgentFlags(['--max-semi-space-size=4']), false);
  assert.equal(startedWithAgentFlags([]), false);
});
