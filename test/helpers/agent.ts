/**
 * An in-process agent built from a real config file, for integration tests that need
 * its internals on the same clock (traces, metrics) rather than a child process.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Agent } from '../../src/agent.js';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';

export interface TestAgent {
  agent: Agent;
  /** Base URL of its HTTP server. */
  url: string;
  /** Parsed JSON log lines so far. */
  logs(): Record<string, unknown>[];
  /** GET a path of the agent's server with optional headers; the body as text. */
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; contentType: string; body: string }>;
  stop(): Promise<void>;
}

/** More of the agent's surroundings: files beside agent.yaml, and the file watch. */
export interface TestAgentOptions {
  /** Written next to agent.yaml before it is loaded, by file name. */
  files?: Record<string, string>;
  /** Reload when the config files change, as `canary run` does. */
  watch?: boolean;
  /** `--enable-chaos`: run the scheduled experiments. */
  enableChaos?: boolean;
}

/** Writes `yaml` to a temporary agent.yaml, loads it with `env`, and starts the agent. */
export async function startTestAgent(
  yaml: string,
  env: Record<string, string> = {},
  options: TestAgentOptions = {},
): Promise<TestAgent> {
  const dir = mkdtempSync(join(tmpdir(), 'canary-agent-'));
  const file = join(dir, 'agent.yaml');
  writeFileSync(file, yaml);
  for (const [name, content] of Object.entries(options.files ?? {})) writeFileSync(join(dir, name), content);
  const config = await loadConfig(file, { env });
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ level: 'info', destination });
  const agent = new Agent(config, {
    logger,
    env,
    watch: options.watch === true,
    enableChaos: options.enableChaos === true,
  });
  let stopped = false;
  try {
    const address = await agent.start();
    return {
      agent,
      url: address.url,
      logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
      async get(path, headers = {}) {
        const res = await fetch(new URL(path, address.url), { headers });
        return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: await res.text() };
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await agent.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The value of one sample line in a Prometheus text exposition, or undefined. */
export function sampleValue(exposition: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    if (!Object.entries(labels).every(([k, v]) => rest.includes(`${k}="${v}"`))) continue;
    const value = rest
      .slice(rest.lastIndexOf('}') + 1)
      .trim()
      .split(' ')[0];
    return Number(value);
  }
  return undefined;
}
