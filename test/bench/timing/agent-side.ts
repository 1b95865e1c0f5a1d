/**
 * The benchmark's side of the agent: the generated config, the `agent-probe.ts` process
 * that runs it, and the records it sends back.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { agentEnv, agentNodeFlags, agentWorkers, repoRoot } from '../agent-run.js';
import { start, stop, type Started } from '../children.js';
import { benchScript } from '../ipc.js';
import type { AgentProbeMessage, AgentRecord, AgentWindowStats } from './agent-probe.js';
import { fastPath, holdPath, padded, TIMED_PREFIX } from './paths.js';
import type { Matched } from './stats.js';

/** Fixed so the agent's start offsets, and so the load pattern, are the same in every run. */
export const AGENT_SEED = 1234;

/** What the agent is asked to probe. */
export interface AgentLoad {
  holdOrigin: string;
  fastOrigin: string;
  /** Measured checks, one holding path each. */
  timed: number;
  /** Background checks against the fast target. */
  others: number;
}

/**
 * The agent config: `timed` checks named `timed-NN` on the holding target and `others`
 * on the fast one, all at `interval: 1s`, a new connection per probe (`keepAlive: false`,
 * the default, written out so the config says what is measured), default concurrency,
 * a fixed seed, logs at warn, the server on a port of the system's choosing.
 */
export function timingAgentConfig(load: AgentLoad): unknown {
  const check = (name: string, target: string) => ({ name, kind: 'http', target, http: { keepAlive: false } });
  return {
    agent: { region: 'bench' },
    server: { listen: '127.0.0.1:0' },
    probes: { seed: AGENT_SEED, ...agentWorkers(), defaults: { interval: '1s', timeout: '5s' } },
    checks: [
      ...Array.from({ length: load.timed }, (_, i) =>
        check(`${TIMED_PREFIX}${padded(i, load.timed)}`, load.holdOrigin + holdPath(i)),
      ),
      ...Array.from({ length: load.others }, (_, i) =>
        check(`other-${padded(i, load.others)}`, load.fastOrigin + fastPath(i)),
      ),
    ],
    exporters: { log: { level: 'warn' } },
  };
}

/** A running agent process and what it has sent so far. */
export interface AgentSide {
  started: Started;
  /** Starts the agent's window counts and event-loop delay afresh. */
  mark(): Promise<void>;
  /** The agent's counts and event-loop delay since `mark`. */
  read(): Promise<AgentWindowStats>;
  /** Stops the agent (in-flight runs finish), and returns every record it sent. */
  finish(): Promise<{ records: AgentRecord[]; dropped: number }>;
}

/** Waits for the first message of `type`, or rejects after `timeoutMs` or if the process exits. */
function waitForType(started: Started, type: AgentProbeMessage['type'], timeoutMs: number): Promise<AgentProbeMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`agent-probe: no ${type} within ${timeoutMs} ms; output: ${started.output()}`)),
      timeoutMs,
    );
    const onMessage = (message: AgentProbeMessage) => {
      if (message.type === type) done(undefined, message);
    };
    const onExit = () => done(new Error(`agent-probe exited before ${type}; output: ${started.output()}`));
    function done(error: Error | undefined, message?: AgentProbeMessage): void {
      clearTimeout(timer);
      started.child.off('message', onMessage).off('exit', onExit);
      if (error) reject(error);
      else resolve(message as AgentProbeMessage);
    }
    started.child.on('message', onMessage).on('exit', onExit);
  });
}

/** Writes the config, starts the agent process and waits until it probes. */
export async function startAgentSide(load: AgentLoad, workDir: string, maxSeconds: number): Promise<AgentSide> {
  const file = join(workDir, `timing-agent-${load.others}.yaml`);
  writeFileSync(file, stringify(timingAgentConfig(load)));
  const script = benchScript('timing/agent-probe.js');
  // The harness runs the agent in its own process, so it takes the agent's node flags and environment.
  const started = await start(process.execPath, [...agentNodeFlags(), script, file, String(Math.ceil(maxSeconds))], {
    cwd: repoRoot,
    env: agentEnv(),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const records: AgentRecord[] = [];
  started.child.on('message', (message: AgentProbeMessage) => {
    if (message.type === 'batch') records.push(...message.records);
  });
  try {
    await waitForType(started, 'ready', 30_000);
  } catch (error) {
    await stop(started, 2_000);
    throw error;
  }
  return {
    started,
    async mark() {
      const marked = waitForType(started, 'marked', 5_000);
      started.child.send('mark');
      await marked;
    },
    async read() {
      const answer = waitForType(started, 'window', 5_000);
      started.child.send('read');
      const { type: _type, ...stats } = (await answer) as { type: 'window' } & AgentWindowStats;
      return stats;
    },
    async finish() {
      const stopped = waitForType(started, 'stopped', 20_000);
      started.child.send('stop');
      try {
        const last = await stopped;
        if (last.type === 'stopped') return { records: [...records, ...last.records], dropped: last.dropped };
        return { records, dropped: 0 };
      } finally {
        await stop(started, 5_000);
      }
    },
  };
}

/** Agent records as samples: a run without `processing` failed, one without a hold is unmatched. */
export function agentSamples(records: readonly AgentRecord[]): Matched {
  const out: Matched = { samples: [], failed: 0, unmatched: 0 };
  for (const r of records) {
    if (r.processingMs === null) out.failed++;
    else if (r.holdMs === null) out.unmatched++;
    else out.samples.push({ startedAt: r.startedAt, processingMs: r.processingMs, holdMs: r.holdMs });
  }
  return out;
}
