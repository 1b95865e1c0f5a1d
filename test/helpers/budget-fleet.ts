/**
 * A fleet whose error budgets Prometheus knows: an in-process agent probes two checks under
 * a 90% SLO, `low` (its service answers 503: budget spent) and `high` (200: budget whole),
 * and a real Prometheus scrapes it. `fault` records the requests of experiment methods.
 */
import { budgetQuery } from '../../src/chaos/promql/budget.js';
import { startTestAgent, type TestAgent, type TestAgentOptions } from './agent.js';
import { freePort, startPrometheus, type PrometheusServer } from './prometheus.js';
import { startHttpServer, type HttpTestServer } from './servers.js';
import { eventually } from './wait.js';

export interface BudgetFleet {
  prometheus: PrometheusServer;
  agent: TestAgent;
  service: HttpTestServer;
  fault: HttpTestServer;
  /** Requests the fault server got on `path`. */
  faults: (path: string) => number;
  close(): Promise<void>;
}

/** A loose objective, so a stray timeout of `high` on a busy machine leaves most of its budget. */
const SLO = { objective: 0.9, window: 86_400_000 };

/** The two checks, as a config's `checks:` lines, probing `origin`. */
export function budgetChecks(origin: string): string[] {
  const slo = 'slo: { objective: 90%, window: 1d }';
  return [
    `{ name: low, kind: http, target: "${origin}/down", interval: 250ms, timeout: 250ms, ${slo} }`,
    `{ name: high, kind: http, target: "${origin}/up", interval: 250ms, timeout: 250ms, ${slo} }`,
  ];
}

/** A gated experiment on check `slo` whose method posts to the fault server's `/fault-SLO`. */
export function gatedExperiment(name: string, slo: string, fault: HttpTestServer, schedule = ''): string {
  const url = `${fault.origin}/fault-${slo}`;
  return [
    `name: ${name}`,
    'blastRadius: { maxInstances: 1 }',
    'method:',
    `  - { action: http, method: POST, url: "${url}", revert: { method: DELETE, url: "${url}" } }`,
    `requireErrorBudget: { slo: ${slo}, min: 25% }`,
    ...(schedule ? [schedule] : []),
  ].join('\n');
}

/**
 * Starts Prometheus first (the agent may ask it from its first tick), then the agent on
 * the port it scrapes; `chaos` is the agent's `chaos:` mapping, given Prometheus's URL.
 * Resolves once Prometheus has both budgets.
 */
export async function startBudgetFleet(
  chaos: (prometheus: string) => string,
  options: Omit<TestAgentOptions, 'files'> & { files?: (fault: HttpTestServer) => Record<string, string> } = {},
): Promise<BudgetFleet> {
  const service = await startHttpServer((req, res) => res.writeHead(req.url === '/down' ? 503 : 200).end());
  const fault = await startHttpServer((_req, res) => res.writeHead(200).end('ok'));
  const port = await freePort();
  const prometheus = await startPrometheus([`127.0.0.1:${port}`]);
  let agent: TestAgent | undefined;
  const close = async () => {
    await agent?.stop();
    await prometheus.stop();
    await service.close();
    await fault.close();
  };
  try {
    const yaml = [
      'agent: { region: eu-west-1 }',
      `server: { listen: "127.0.0.1:${port}" }`,
      `chaos: ${chaos(prometheus.url)}`,
      'checks:',
      ...budgetChecks(service.origin).map((c) => `  - ${c}`),
    ].join('\n');
    agent = await startTestAgent(yaml, {}, { ...options, files: options.files?.(fault) ?? {} });
    await eventually(
      async () => {
        const [low] = await prometheus.query(budgetQuery('low', SLO));
        const [high] = await prometheus.query(budgetQuery('high', SLO));
        return low?.value[1] === '0' && Number(high?.value[1]) > 0.5 ? true : undefined;
      },
      30_000,
      'both budgets in Prometheus (low spent, high mostly left)',
    );
  } catch (error) {
    await close();
    throw error;
  }
  return {
    prometheus,
    agent,
    service,
    fault,
    faults: (path) => fault.requests.filter((r) => r.url === path).length,
    close,
  };
}
