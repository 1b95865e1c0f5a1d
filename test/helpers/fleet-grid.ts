/**
 * A small fleet for the fleet grid: one service, two agents of two regions probing it
 * (check `web`), each by its own route, and a real Prometheus scraping both with the
 * shipped region rules loaded (deploy/prometheus/rules/canary-sli.yml and
 * canary-regions.yml). `fail(region)` makes the service fail on that region's route only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestAgent, type TestAgent } from './agent.js';
import { repoRoot } from './paths.js';
import { prometheusBinary, startPrometheus, type PrometheusServer } from './prometheus.js';
import { startHttpServer, type HttpTestServer } from './servers.js';
import { eventually } from './wait.js';

export const FLEET_REGIONS = ['eu-west-1', 'us-east-1'] as const;

/** A reason to skip without Prometheus, for `test(name, { skip }, fn)`; false when it is installed. */
export function noPrometheus(): string | false {
  return prometheusBinary() ? false : 'prometheus is not installed (Debian package "prometheus")';
}

export interface GridFleet {
  prometheus: PrometheusServer;
  /** Sets the regions whose route fails (503); the others answer 200. */
  fail(...regions: string[]): void;
  stop(): Promise<void>;
}

const RULES = ['canary-sli.yml', 'canary-regions.yml'].map((f) => join(repoRoot, 'deploy', 'prometheus', 'rules', f));

function agentYaml(region: string, origin: string, stateDir: string): string {
  return [
    `agent: { region: ${region} }`,
    'server: { listen: "127.0.0.1:0" }',
    `chaos: { stateDir: "${stateDir}" }`,
    'checks:',
    `  - { name: web, kind: http, target: "${origin}/via/${region}", interval: 500ms, timeout: 400ms }`,
  ].join('\n');
}

/** Starts the fleet and waits until Prometheus has the check up in both regions. */
export async function startGridFleet(): Promise<GridFleet> {
  const dir = mkdtempSync(join(tmpdir(), 'canary-fleet-grid-'));
  let failing = new Set<string>();
  const agents: TestAgent[] = [];
  let service: HttpTestServer | undefined;
  let prometheus: PrometheusServer | undefined;
  const stop = async () => {
    await prometheus?.stop();
    for (const agent of agents) await agent.stop();
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    service = await startHttpServer((req, res) => {
      const region = req.url?.startsWith('/via/') ? req.url.slice('/via/'.length) : '';
      res.writeHead(failing.has(region) ? 503 : 200).end(failing.has(region) ? 'down' : 'ok');
    });
    for (const region of FLEET_REGIONS) agents.push(await startTestAgent(agentYaml(region, service.origin, dir)));
    const rules = `rule_files: [ ${RULES.map((f) => JSON.stringify(f)).join(', ')} ]`;
    prometheus = await startPrometheus(
      agents.map((a) => new URL(a.url).host),
      rules,
    );
    const prom = prometheus;
    await eventually(
      async () =>
        (await prom.query('canary:check_regions:count{check="web"}'))[0]?.value[1] === '2' ? true : undefined,
      30_000,
      'both regions recorded by the rules',
    );
    return { prometheus: prom, fail: (...regions) => (failing = new Set(regions)), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
