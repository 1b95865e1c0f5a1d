/**
 * How the benchmark starts the agent: node flags, environment and worker count, each the
 * shipped default unless a BENCH_* variable says otherwise. Kept apart from agent-run.ts,
 * which starts processes, so unit tests can check these choices without importing it.
 */
import { AGENT_ENV, AGENT_NODE_FLAGS } from '../../src/cli/node-flags.js';

/**
 * The node flags the agent runs with: the ones every shipped way of starting it uses, or
 * `BENCH_NODE_FLAGS` (space-separated; empty for none) to measure others against them.
 */
export function agentNodeFlags(): string[] {
  const override = process.env.BENCH_NODE_FLAGS;
  return override === undefined ? [...AGENT_NODE_FLAGS] : override.split(' ').filter(Boolean);
}

/**
 * The environment the agent runs with: this process's, plus what every shipped way of
 * starting it sets (`AGENT_ENV`), or instead `BENCH_AGENT_ENV` (`NAME=VALUE` words;
 * empty for nothing added).
 */
export function agentEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const override = base.BENCH_AGENT_ENV;
  if (override === undefined) return { ...base, ...AGENT_ENV };
  const added = override
    .split(' ')
    .filter(Boolean)
    .map((word): [string, string] => {
      const at = word.indexOf('=');
      if (at <= 0) throw new Error(`BENCH_AGENT_ENV: "${word}" is not NAME=VALUE`);
      return [word.slice(0, at), word.slice(at + 1)];
    });
  return { ...base, ...(Object.fromEntries(added) as Record<string, string>) };
}

/**
 * `probes.workers` of every generated agent config: `BENCH_AGENT_WORKERS` (a number or
 * `auto`), or nothing written so the agent's own default is measured.
 */
export function agentWorkers(env: NodeJS.ProcessEnv = process.env): { workers?: number | 'auto' } {
  const text = env.BENCH_AGENT_WORKERS;
  if (text === undefined || text === '') return {};
  if (text === 'auto') return { workers: 'auto' };
  const workers = Number(text);
  if (!Number.isInteger(workers) || workers < 0)
    throw new Error(`BENCH_AGENT_WORKERS: "${text}" is not auto or a whole number`);
  return { workers };
}

/**
 * `exporters.prometheus.renderThread` of every generated agent config:
 * `BENCH_RENDER_THREAD` (true or false), or nothing so the agent's default is measured.
 */
export function agentRenderThread(env: NodeJS.ProcessEnv = process.env): { renderThread?: boolean } {
  const text = env.BENCH_RENDER_THREAD;
  if (text === undefined || text === '') return {};
  if (text === 'true' || text === 'false') return { renderThread: text === 'true' };
  throw new Error(`BENCH_RENDER_THREAD: "${text}" is not true or false`);
}
